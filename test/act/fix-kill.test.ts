/**
 * Exactly one activation across a worker crash: a worker process that runs the act queue is
 * SIGKILLed after Caracal has activated the version and before the worker heard back (the
 * simulator applies the activation, then holds its answer), so the call is made and never
 * recorded. Another worker takes the stalled job over, reads the zone, finds the version active
 * and records it instead of activating again; the proposal says so, and the re-triage follows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { simulatorConfig, ZONE_B } from '../../sim';
import { NEW_POLICY_VERSION_ID, POLICY_SET_ID } from '../../sim/world';
import { sendCommand } from '../support/slack-signing';
import { waitFor } from '../queue/harness';
import { startSlackStack, STACK_SIGNING_KEY, type SlackStack } from '../adapters/slack/stack';
import { button, buttonsOf, clickButton, current, textOf, waitForMessage } from './slack-support';

let stack: SlackStack;
let child: ChildProcess | null = null;

beforeAll(async () => {
  // The stack's own workers collect and post triages but leave the act queue to the child.
  stack = await startSlackStack({
    scenario: 'role_scope_mismatch',
    acts: (sim) => ({ fixToken: sim.tokens.globalWrite, fixers: ['U0FIXER1', 'U0FIXER2'], fixConfirmTimeoutMs: 5000 }),
    worker: { act: undefined },
  });
}, 30_000);
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack.close();
});

test('a worker killed between the activation call and its record leaves one activation in all, recorded by the next worker', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'act-worker-child.ts')], {
    cwd: join(__dirname, '..', '..'),
    env: {
      ...process.env,
      CT_PREFIX: stack.prefix,
      CT_SLACK_URL: stack.slack.url,
      CT_CARACAL_CONFIG: JSON.stringify(simulatorConfig(stack.sim, { timeoutMs: 10_000 })),
      CT_ACT_CONFIG: JSON.stringify(stack.acts),
      TRIAGE_SIGNING_KEY: STACK_SIGNING_KEY,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child!.once('exit', (code) => reject(new Error(`act worker child exited early (${code})`)));
  });

  expect((await sendCommand(stack.events, { text: 'triage req-role-1', channel_id: 'C0KILL01', user_id: 'U0FIXER1' })).status).toBe(200);
  const first = await waitForMessage(stack.slack, (m) => m.channel === 'C0KILL01' && !m.thread_ts && textOf(m).includes('Caracal triage'));
  const card = await stack.slack.waitFor(() => buttonsOf(current(stack.slack, first)).some((b) => b.text.text === 'Propose fix') && current(stack.slack, first), 20_000);
  await clickButton(stack.events, stack.slack, card, button(card, 'Propose fix'), 'U0FIXER1');
  const proposal = await waitForMessage(stack.slack, (m) => m.thread_ts === card.ts && buttonsOf(m).some((b) => b.text.text === 'Apply'), 20_000);
  const proposalKey = `${stack.prefix}fix:${/Proposal `(fix-[0-9a-f]{24})`/.exec(textOf(proposal))![1]}`;
  // The child records where the proposal is right after Slack answers; a click before that is told to wait.
  await waitFor('the proposal to be recorded', async () => !!(await stack.service.store.redis.hget(proposalKey, 'ref')));

  // Caracal activates the version, then holds its answer: the child dies in that window.
  stack.sim.setFault('api', `/v1/zones/${ZONE_B}/policy-sets/${POLICY_SET_ID}/activate`, { afterMs: 8000, times: 1 });
  await clickButton(stack.events, stack.slack, proposal, button(proposal, 'Apply'), 'U0FIXER2');
  const activations = () => stack.sim.acts.calls.filter((c) => c.kind === 'activate');
  await stack.slack.waitFor(() => activations().length === 1, 20_000);
  expect(stack.sim.acts.activeVersion(ZONE_B, POLICY_SET_ID)).toBe(NEW_POLICY_VERSION_ID);
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const marked = await stack.service.store.redis.hgetall(proposalKey);
  expect(marked.calling).toBeDefined();
  expect(marked.call).toBeUndefined();

  stack.startWorkers({ act: stack.act, lockDurationMs: 2000, stalledIntervalMs: 500 });
  const applied = await stack.slack.waitFor(() => /Caracal reports STS loaded it/.test(textOf(current(stack.slack, proposal))) && current(stack.slack, proposal), 30_000);
  expect(textOf(applied)).toMatch(/Applied by `oncall \(U0FIXER2\)`: the version is active \(read again at .* after the bot was interrupted while activating it\)/);
  const result = await waitForMessage(stack.slack, (m) => m.thread_ts === card.ts && textOf(m).includes('re-triage'), 30_000);
  expect(textOf(result)).toContain('Caracal reports STS loaded it');
  await new Promise((r) => setTimeout(r, 500));
  expect(activations()).toHaveLength(1);
  expect(stack.slack.messages.filter((m) => m.thread_ts === card.ts && textOf(m).includes('re-triage'))).toHaveLength(1);
}, 90_000);
