/**
 * A governed fix from Slack, end to end: a triage whose diagnosis a policy-set version ends
 * (sim scenario role_scope_mismatch: v2 is active and denies, v3 allows), *Propose fix* on its
 * card, the proposal in the thread with the exact change, *Apply* by a second person in
 * TRIAGE_FIXERS (never the proposer), one activation with CARACAL_FIX_TOKEN, its status followed
 * to `loaded` (or not, when STS is unreachable), Caracal's simulation of the denied call against
 * the now-active version as the evidence (or why it could not run), and the re-triage under the
 * proposal. Caracal's refusals and a stale or lapsed proposal are refused in words.
 */
import { NEW_POLICY_VERSION_ID, OLD_POLICY_VERSION_ID, POLICY_SET_ID, POLICY_VERSION_ID } from '../../sim/world';
import { ZONE_B } from '../../sim';
import { verifyAuditChain } from '../../src/audit/verify';
import type { FakeMessage } from '../support/fake-slack-api';
import { sendCommand } from '../support/slack-signing';
import { waitFor } from '../queue/harness';
import { startSlackStack, STACK_SIGNING_KEY, type SlackStack } from '../adapters/slack/stack';
import { answersTo, button, buttonsOf, clickButton, current, textOf, waitForMessage } from './slack-support';

let stack: SlackStack;
let channelSeq = 0;

beforeAll(async () => {
  stack = await startSlackStack({
    scenario: 'role_scope_mismatch',
    acts: (sim) => ({ fixToken: sim.tokens.globalWrite, fixers: ['U0FIXER1', 'U0FIXER2'], fixConfirmTimeoutMs: 1500 }),
  });
}, 30_000);
afterAll(async () => {
  await stack.close();
});

const activations = () => stack.sim.acts.calls.filter((c) => c.kind === 'activate');
/** Simulations made with the fix token (the triage's own bundle may try one with its read token). */
const simulations = () => stack.sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/simulate') && r.headers.authorization === `Bearer ${stack.sim.tokens.globalWrite}`);
type AuditEntry = { action: string; actor: { id: string }; subject?: string; detail?: string };
const auditEntries = async (): Promise<AuditEntry[]> => (await stack.service.store.redis.xrange(`${stack.prefix}audit`, '-', '+')).map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]!) as AuditEntry);
const proposalIdOf = (m: FakeMessage): string => /Proposal `(fix-[0-9a-f]{24})`/.exec(textOf(m))![1]!;

/** A fresh triage of req-role-1 in its own channel, once its card offers *Propose fix*. */
async function triagedCard(): Promise<FakeMessage> {
  stack.sim.setScenario('role_scope_mismatch');
  const channel = `C0FIX${String(++channelSeq).padStart(3, '0')}`;
  expect((await sendCommand(stack.events, { text: 'triage req-role-1', channel_id: channel, user_id: 'U0FIXER1' })).status).toBe(200);
  const card = await waitForMessage(stack.slack, (m) => m.channel === channel && !m.thread_ts && textOf(m).includes('Caracal triage'));
  return stack.slack.waitFor(() => buttonsOf(current(stack.slack, card)).some((b) => b.text.text === 'Propose fix') && current(stack.slack, card), 20_000);
}

async function propose(card: FakeMessage, by = 'U0FIXER1'): Promise<FakeMessage> {
  await clickButton(stack.events, stack.slack, card, button(card, 'Propose fix'), by);
  const proposal = await waitForMessage(stack.slack, (m) => m.thread_ts === card.ts && /Proposed fix|No fix the bot can apply/.test(textOf(m)));
  await recorded(stack, proposal);
  return stack.slack.waitFor(() => !textOf(current(stack.slack, proposal)).includes('Planning:') && current(stack.slack, proposal));
}

/** Once the worker has recorded where the proposal is (a click before that is told to wait). */
async function recorded(on: SlackStack, proposal: FakeMessage): Promise<void> {
  const id = /Proposal `(fix-[0-9a-f]{24})`/.exec(textOf(proposal))![1];
  await waitFor('the proposal to be recorded', async () => !!(await on.service.store.redis.hget(`${on.prefix}fix:${id}`, 'ref')));
}

const until = (m: FakeMessage, what: RegExp, timeoutMs = 15_000) => stack.slack.waitFor(() => what.test(textOf(current(stack.slack, m))) && current(stack.slack, m), timeoutMs);

test("Propose fix posts the exact change; the proposer and people outside TRIAGE_FIXERS cannot apply it; a second fixer applies it once, STS loads it, Caracal's simulation of the denied call against it now allows the call, and the re-triage follows", async () => {
  const card = await triagedCard();
  const proposal = await propose(card);
  const text = textOf(proposal);
  expect(text).toContain('Proposed fix');
  expect(text).toContain(`activate version v3 (\`${NEW_POLICY_VERSION_ID}\`) of policy set \`main\`; the active version now is v2 (\`${POLICY_VERSION_ID}\`)`);
  expect(text).toContain('What it would allow: `Anton` on `resource://payments` with `payments:write`, the call request `req-role-1` was denied for');
  expect(text).toContain('needs a second person');
  const apply = button(proposal, 'Apply');
  // The proposer may not apply their own fix; nor may someone outside TRIAGE_FIXERS.
  await clickButton(stack.events, stack.slack, proposal, button(proposal, 'Apply'), 'U0FIXER1');
  await clickButton(stack.events, stack.slack, proposal, button(proposal, 'Apply'), 'U0BYSTANDER');
  await stack.slack.waitFor(() => answersTo(stack.slack, 'U0FIXER1').some((t) => t.includes('You proposed this fix: a second person')));
  await stack.slack.waitFor(() => answersTo(stack.slack, 'U0BYSTANDER').some((t) => t.includes('You are not in TRIAGE_FIXERS')));
  expect(activations()).toHaveLength(0);
  const simulatedBefore = simulations().length;
  // The second fixer clicks twice at once: one activation.
  await Promise.all([clickButton(stack.events, stack.slack, proposal, button(proposal, 'Apply'), 'U0FIXER2'), clickButton(stack.events, stack.slack, proposal, button(proposal, 'Apply'), 'U0FIXER2')]);
  const applied = await until(proposal, /Caracal reports STS loaded it/);
  expect(textOf(applied)).toContain('Fix applied');
  expect(textOf(applied)).toMatch(/Applied by `oncall \(U0FIXER2\)` at .* Caracal accepted the activation \(202, outbox `/);
  expect(buttonsOf(applied)).toEqual([]);
  expect(activations()).toHaveLength(1);
  expect(activations()[0]).toMatchObject({ zoneId: ZONE_B, id: POLICY_SET_ID, body: { version_id: NEW_POLICY_VERSION_ID }, status: 202 });
  expect(stack.sim.acts.activeVersion(ZONE_B, POLICY_SET_ID)).toBe(NEW_POLICY_VERSION_ID);
  const result = await waitForMessage(stack.slack, (m) => m.thread_ts === card.ts && textOf(m).includes('re-triage'), 20_000);
  const r = textOf(result);
  // The evidence is Caracal's simulation against the active version; the request's own trail was
  // written before the fix, so the result says "now allows" with the retry as the final proof, not "fixed".
  expect(r).toContain("Applied and loaded: Caracal's simulation now allows the denied call");
  expect(r).toContain(`Version v3 (\`${NEW_POLICY_VERSION_ID}\`) of policy set \`main\` was activated in zone \`${ZONE_B}\``);
  expect(r).toContain('Caracal reports STS loaded it');
  expect(r).toContain(`Caracal's simulation of the denied call against the active version v3 (\`${NEW_POLICY_VERSION_ID}\`) now allows it (\`caracal-anton-mint\`); the request itself was denied before the fix, so a retry of the call is the final proof.`);
  expect(r).toMatch(/The re-triage of `req-role-1` still finds `role_scope_mismatch`/);
  expect(r).not.toContain('Fixed:');
  // The proposal shows the same evidence.
  expect(textOf(await until(proposal, /now allows it/))).toContain('Fix applied');
  // One simulation ran after the activation (a read: the double click made no second one).
  expect(simulations().slice(simulatedBefore).map((q) => q.path)).toEqual([`/v1/zones/${ZONE_B}/policy-sets/${POLICY_SET_ID}/simulate`]);
  // Clicking Apply again (from a copy of the message drawn before) does nothing more.
  await clickButton(stack.events, stack.slack, proposal, apply, 'U0FIXER2');
  await stack.slack.waitFor(() => answersTo(stack.slack, 'U0FIXER2').some((t) => t.includes('already applied it')));
  await new Promise((res) => setTimeout(res, 300));
  expect(activations()).toHaveLength(1);
  // Every step of it is in the audit chain, with the person, and the chain verifies.
  const entries = await auditEntries();
  const by = (action: string) => entries.filter((e) => e.action === action).map((e) => e.actor.id);
  expect(by('fix proposal requested')).toContain('U0FIXER1');
  expect(by('fix proposed')).toContain('U0FIXER1');
  expect(by('fix consent')).toEqual(['U0FIXER2']);
  expect(by('activate called')).toEqual(['U0FIXER2']);
  expect(by('activation answered')).toEqual(['U0FIXER2']);
  expect(by('fix loaded by STS')).toEqual(['U0FIXER2']);
  const checked = entries.filter((e) => e.action === 'post-fix simulation' && e.subject === `fix:${proposalIdOf(proposal)}`);
  expect(checked.map((e) => e.actor.id)).toEqual(['U0FIXER2']);
  expect(checked[0]!.detail).toBe(`simulation allows the denied call against active version v3 ${NEW_POLICY_VERSION_ID} of ${POLICY_SET_ID} (caracal-anton-mint)`);
  expect(by('re-triage after fix')).toEqual(['U0FIXER2']);
  expect(await verifyAuditChain(stack.service.store.redis, { signingKey: STACK_SIGNING_KEY, prefix: stack.prefix })).toMatchObject({ ok: true });
}, 60_000);

test('with STS unreachable the fix is "applied; Caracal has not confirmed STS loaded it": no simulation is run after it and nothing claims it fixed', async () => {
  const card = await triagedCard();
  const proposal = await propose(card);
  stack.sim.acts.stsDown = true;
  try {
    stack.sim.clearRequests();
    await clickButton(stack.events, stack.slack, proposal, button(proposal, 'Apply'), 'U0FIXER2');
    const shown = await until(proposal, /Caracal has not confirmed STS loaded it/);
    expect(textOf(shown)).toMatch(/Applied; Caracal has not confirmed STS loaded it: activation-status was still `waiting_for_sts`, STS `unreachable`/);
    const result = await waitForMessage(stack.slack, (m) => m.thread_ts === card.ts && textOf(m).includes('re-triage'), 20_000);
    const r = textOf(result);
    expect(r).toContain('Applied: Caracal has not confirmed STS loaded it');
    expect(r).toContain("The bot did not re-run Caracal's simulation of the denied call: it checks the active version only once Caracal reports STS loaded it.");
    expect(r.replace("“Fixed, re-check”", "")).not.toMatch(/now allows|fixed/i);
    expect(simulations()).toHaveLength(0);
    expect(activations()).toHaveLength(1);
    const entry = (await auditEntries()).find((e) => e.subject === `fix:${proposalIdOf(proposal)}` && e.action.startsWith('post-fix simulation'));
    expect(entry).toMatchObject({ action: 'post-fix simulation not run', detail: 'simulation not run: Caracal has not confirmed STS loaded the version', actor: { id: 'U0FIXER2' } });
  } finally {
    stack.sim.acts.stsDown = false;
  }
}, 60_000);

test('when Caracal cannot run the simulation after the fix, the result says so and why, and does not claim the call is allowed', async () => {
  const card = await triagedCard();
  const proposal = await propose(card);
  // The plan has simulated; from here Caracal fails every simulation.
  stack.sim.setFault('api', `/v1/zones/${ZONE_B}/policy-sets/${POLICY_SET_ID}/simulate`, { status: 500, json: { error: 'internal_error', error_description: 'Internal server error', requestId: 'req-sim-fault' } });
  try {
    await clickButton(stack.events, stack.slack, proposal, button(proposal, 'Apply'), 'U0FIXER2');
    const result = await waitForMessage(stack.slack, (m) => m.thread_ts === card.ts && textOf(m).includes('re-triage'), 20_000);
    const r = textOf(result);
    expect(r).toContain('Applied and loaded: not confirmed fixed');
    expect(r).toContain('Caracal reports STS loaded it');
    expect(r).toContain(`Caracal's simulation of the denied call against the active version v3 (\`${NEW_POLICY_VERSION_ID}\`) could not be run: the simulation call failed (\`internal_error\`); a retry of the call shows whether the version allows it.`);
    expect(r).not.toContain('now allows');
    const entry = (await auditEntries()).find((e) => e.subject === `fix:${proposalIdOf(proposal)}` && e.action === 'post-fix simulation');
    expect(entry?.detail).toBe(`simulation could not run: simulate internal_error against active version v3 ${NEW_POLICY_VERSION_ID} of ${POLICY_SET_ID}`);
  } finally {
    stack.sim.clearFaults();
  }
}, 60_000);

test('a stale proposal (the active version changed meanwhile) is refused in words, and nothing is activated', async () => {
  const card = await triagedCard();
  const proposal = await propose(card);
  const other = await fetch(`${stack.sim.apiUrl}/v1/zones/${ZONE_B}/policy-sets/${POLICY_SET_ID}/activate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.sim.tokens.globalWrite}`, 'content-type': 'application/json' },
    body: JSON.stringify({ version_id: OLD_POLICY_VERSION_ID }),
  });
  expect(other.status).toBe(202);
  await clickButton(stack.events, stack.slack, proposal, button(proposal, 'Apply'), 'U0FIXER2');
  const refused = await until(proposal, /Not applied/);
  expect(textOf(refused)).toContain(`Not applied: the zone's active version changed since this was proposed (it is now \`${OLD_POLICY_VERSION_ID}\`); propose again from the card.`);
  expect(activations().filter((a) => (a.body as { version_id: string }).version_id === NEW_POLICY_VERSION_ID)).toHaveLength(0);
}, 60_000);

test("Caracal's refusal of the activation (422 invalid_policy_bundle) is shown in words", async () => {
  const card = await triagedCard();
  const proposal = await propose(card);
  stack.sim.setFault('api', `/v1/zones/${ZONE_B}/policy-sets/${POLICY_SET_ID}/activate`, { status: 422, json: { error: 'invalid_policy_bundle' }, times: 1 });
  await clickButton(stack.events, stack.slack, proposal, button(proposal, 'Apply'), 'U0FIXER2');
  const refused = await until(proposal, /Not applied/);
  expect(textOf(refused)).toContain("Not applied: STS cannot compile that version's bundle (422 `invalid_policy_bundle`); fix the version, then propose again.");
  expect(stack.sim.acts.activeVersion(ZONE_B, POLICY_SET_ID)).toBeUndefined();
}, 60_000);

test('when Caracal cannot simulate (STS down) the proposal says there is no remedy, and why', async () => {
  const card = await triagedCard();
  stack.sim.acts.stsDown = true;
  try {
    const proposal = await propose(card);
    expect(textOf(proposal)).toContain('No fix the bot can apply');
    expect(textOf(proposal)).toContain('Caracal could not simulate the call with 2 versions: STS did not evaluate it (`not_executed`); so no version is known to allow it.');
    expect(buttonsOf(proposal)).toEqual([]);
  } finally {
    stack.sim.acts.stsDown = false;
  }
}, 60_000);

test('a diagnosis no policy-set version ends offers no Propose fix', async () => {
  stack.sim.setScenario('scope_mismatch');
  expect((await sendCommand(stack.events, { text: 'triage req-scope-1', channel_id: 'C0NOFIX1', user_id: 'U0FIXER1' })).status).toBe(200);
  const card = await waitForMessage(stack.slack, (m) => m.channel === 'C0NOFIX1' && !m.thread_ts && textOf(m).includes('Caracal triage'));
  const done = await stack.slack.waitFor(() => textOf(current(stack.slack, card)).includes('scope_mismatch') && current(stack.slack, card), 20_000);
  expect(buttonsOf(done).map((b) => b.text.text)).not.toContain('Propose fix');
}, 60_000);

describe('a proposal nobody applies in time', () => {
  let short: SlackStack;
  beforeAll(async () => {
    short = await startSlackStack({ scenario: 'role_scope_mismatch', acts: (sim) => ({ fixToken: sim.tokens.globalWrite, fixers: ['U0FIXER1', 'U0FIXER2'], proposalTtlMs: 2500 }) });
  }, 30_000);
  afterAll(() => short.close());

  test('lapses after TRIAGE_FIX_PROPOSAL_TTL: Apply is refused in words and the proposal says it lapsed', async () => {
    expect((await sendCommand(short.events, { text: 'triage req-role-1', channel_id: 'C0LAPSE1', user_id: 'U0FIXER1' })).status).toBe(200);
    const first = await waitForMessage(short.slack, (m) => m.channel === 'C0LAPSE1' && !m.thread_ts && textOf(m).includes('Caracal triage'));
    const card = await short.slack.waitFor(() => buttonsOf(current(short.slack, first)).some((b) => b.text.text === 'Propose fix') && current(short.slack, first), 20_000);
    await clickButton(short.events, short.slack, card, button(card, 'Propose fix'), 'U0FIXER1');
    const proposal = await waitForMessage(short.slack, (m) => m.thread_ts === card.ts && buttonsOf(m).length > 0, 15_000);
    await recorded(short, proposal);
    const apply = button(proposal, 'Apply');
    const lapsed = await short.slack.waitFor(() => textOf(current(short.slack, proposal)).includes('Proposed fix lapsed') && current(short.slack, proposal), 15_000);
    expect(buttonsOf(lapsed)).toEqual([]);
    await clickButton(short.events, short.slack, proposal, apply, 'U0FIXER2');
    await short.slack.waitFor(() => answersTo(short.slack, 'U0FIXER2').some((t) => /This proposal lapsed at .*; propose again from the card/.test(t)));
    expect(short.sim.acts.calls.filter((c) => c.kind === 'activate')).toHaveLength(0);
  }, 60_000);
});
