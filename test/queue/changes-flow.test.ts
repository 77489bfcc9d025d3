/**
 * Through the worker, as chat runs a triage: the bundle is collected before the conclusion, so
 * the stored record carries the ranked changes and the diagnosis names the change that caused
 * the denial (what both cards render), exactly as the terminal's conclusion does.
 */
import { createHarness, type Harness } from './harness';

describe('a chat triage of a denial a change caused', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('changes', { scenario: 'scope_removed' });
  });
  afterAll(async () => {
    await h.close();
  });

  test('the record carries the changes and the diagnosis names the Console change', async () => {
    h.startWorkers();
    const id = await h.startTriage();
    const record = await h.waitSettled(id);
    expect(record.diagnosis).toMatchObject({ step: 'requested_scopes', cause: 'scope_mismatch', change: { entityType: 'resources', actor: 'acct_7Hq2LmN9vXc4', relevance: 'cause' } });
    expect(record.diagnosis!.summary).toContain('A change by Console account `acct_7Hq2LmN9vXc4` at 16:47 UTC, 3 min before this denial');
    expect(record.changes!.map((c) => c.relevance)).toEqual(['cause', 'zone']);
    expect(record.bundle!.items.find((i) => i.id === 'recent_changes')!.status).toBe('ok');
  });
});
