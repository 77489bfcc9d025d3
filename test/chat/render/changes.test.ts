/** Which changes a card shows: three at most, the one the diagnosis names first, the rest counted. */
import { cardChanges, changesHeading } from '../../../src/chat/render/changes';
import { withChanges } from '../../support/change-records';
import { diagnosedRecord, readinessRecord } from '../../support/triage-records';

describe('changes on a card', () => {
  it('three at most, the named cause first, the rest counted', () => {
    const r = withChanges(diagnosedRecord('x'), 5, 'alice');
    const { shown, more } = cardChanges(r);
    expect(shown.map((s) => [s.isCause, s.change.requestId])).toEqual([
      [true, 'req-admin-0'],
      [false, 'req-admin-1'],
      [false, 'req-admin-2'],
    ]);
    expect(more).toBe(2);
  });

  it('none on a record without changes (written before they were read)', () => {
    expect(cardChanges(diagnosedRecord('x'))).toEqual({ shown: [], more: 0 });
  });

  it('the heading says what the window ends at', () => {
    expect(changesHeading(diagnosedRecord('x'))).toBe('Changed before this denial');
    expect(changesHeading(readinessRecord())).toBe('Changed before this triage');
  });
});
