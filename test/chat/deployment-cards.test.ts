/**
 * What Slack and Teams cards say about the Caracal deployment a triage reads: "production ·
 * zone Payments EU" right under the title, where the request was found when nothing named the
 * deployment, and the question when it was found nowhere (with an unreadable deployment's
 * reason made inert); and nothing at all on a single-deployment bot's card.
 */
import { buildStatusCard as slackCard } from '../../adapters/slack/render';
import { buildStatusCard as teamsCard } from '../../adapters/teams/render';
import { triageRecord } from '../support/triage-records';
import type { TriageRecord } from '../../src/triage/record';

const KEY = 'deployment-cards-key-0123456789abcdef';
const NOW = new Date('2026-11-27T12:03:10Z');

const named = (over: Partial<TriageRecord> = {}): TriageRecord =>
  triageRecord({ deployment: 'production', zoneId: 'zone-pay', names: { zones: { 'zone-pay': 'Payments EU' }, applications: {}, resources: {}, policySets: {} }, ...over });

const slackBlock = (r: TriageRecord) => slackCard(r, { signingKey: KEY, now: NOW }).blocks.find((b) => (b as { block_id?: string }).block_id === 'triage:deployment') as { elements: Array<{ text: string }> } | undefined;
const teamsTexts = (r: TriageRecord) => (teamsCard(r, { signingKey: KEY, now: NOW }).body as Array<{ type: string; text?: string }>).slice(0, 3).map((e) => e.text ?? '');

describe('the deployment on a card', () => {
  it('Slack and Teams: "production · zone Payments EU" under the title', () => {
    expect(slackBlock(named())?.elements.map((e) => e.text)).toEqual(['*production · zone Payments EU*']);
    const card = slackCard(named(), { signingKey: KEY, now: NOW });
    expect(card.blocks.map((b) => (b as { type: string }).type).slice(0, 2)).toEqual(['header', 'context']);
    expect(teamsTexts(named())[1]).toBe('production · zone Payments EU');
  });

  it('where the request was found when nothing named the deployment', () => {
    const r = named({ deploymentSearch: { searched: ['staging', 'production'], found: ['production'], unreadable: [] } });
    expect(slackBlock(r)?.elements[1]?.text).toBe('Found in production (searched staging and production).');
    expect(teamsTexts(r)[2]).toBe('Found in production (searched staging and production).');
  });

  it('found nowhere: asks which, and a Caracal error quoted in it cannot format or mention', () => {
    const r = triageRecord({ input: { requestId: 'req-x', zoneId: null, symptom: null, error: null }, deploymentSearch: { searched: ['staging', 'production'], found: [], unreadable: [{ deployment: 'production', reason: '<!channel> *down* `x`' }] } });
    const text = slackBlock(r)?.elements[0]?.text ?? '';
    expect(text).toContain('Request `req-x` is in none of the zones of staging; production could not be read (');
    expect(text).toContain('Which deployment is it in? Name one: `triage req-x --deployment NAME`.');
    expect(text).not.toContain('<!channel>');
    const teams = teamsTexts(r).join('\n');
    expect(teams).toContain('Which deployment is it in?');
  });

  it('a single-deployment bot’s card is unchanged: no deployment block, no line', () => {
    const r = triageRecord();
    expect(slackBlock(r)).toBeUndefined();
    const card = slackCard(r, { signingKey: KEY, now: NOW });
    expect(card.blocks.map((b) => (b as { type: string }).type).slice(0, 2)).toEqual(['header', 'section']);
    expect(teamsTexts(r)[1]).not.toMatch(/zone|deployment/i);
  });
});
