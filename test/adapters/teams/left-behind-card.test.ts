/**
 * A worker killed while Teams holds its card post leaves that card behind: Teams stores it, the
 * worker never hears its id, and the run that takes the job over posts the card again (Teams
 * offers no look-up of a bot's own messages). The left-behind card must not say "Collecting
 * evidence" forever beside the live one: the first click on it (the moment the bot can know
 * it) redraws it, for everyone, as a pointer to the card in use, and changes nothing else.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { simulatorConfig } from '../../../sim';
import { CHANNEL, channelMessage, executeInvoke } from './fixtures';
import { TEAMS_SIGNING_KEY, type TeamsStack, startTeamsStack } from './stack';

const ROOT = '1700000000123';
const THREAD = `${CHANNEL};messageid=${ROOT}`;
let stack: TeamsStack;
let child: ChildProcess | null = null;
beforeAll(async () => {
  stack = await startTeamsStack({ workers: false, sim: { latencyMs: { '*': 20 } } });
}, 30_000);
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const summary = (body: any): string => String(body?.summary ?? '');
const isCard = (c: { body: unknown }) => summary(c.body).startsWith('Caracal triage ');

test('the left-behind card, once clicked, points at the card in use; the click changes nothing', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'queue', 'fixtures', 'teams-worker-child.ts')], {
    cwd: join(__dirname, '..', '..', '..'),
    env: { ...process.env, ...stack.env, CT_PREFIX: stack.prefix, CT_CARACAL_CONFIG: JSON.stringify(simulatorConfig(stack.sim, { timeoutMs: 5000 })), TRIAGE_SIGNING_KEY: TEAMS_SIGNING_KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child!.once('exit', (code) => reject(new Error(`worker child exited early (${code})`)));
  });
  // Teams stores the card and holds its answer; the worker dies waiting for it.
  const held = stack.connector.hold((c) => c.kind === 'reply' && isCard(c));
  expect((await stack.send(channelMessage(stack.connector.url, 'triage req-scope-1 --symptom token_exchange_denied'))).status).toBe(200);
  const first = await held.arrived;
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  held.release();

  stack.startWorkers();
  await stack.connector.waitFor(() => stack.connector.posted(THREAD).some((p) => summary(p.body).startsWith('Caracal diagnostic bundle')), 40_000);
  const cards = stack.connector.posted(THREAD).filter(isCard);
  expect(cards).toHaveLength(2);
  const leftBehind = cards.find((c) => c.seq === first.seq)!;
  const live = cards.find((c) => c.seq !== first.seq)!;
  const triageId = /Triage (tri-[\w-]+)/.exec(JSON.stringify(live.body))![1];
  const before = (await stack.service.get(triageId))!;
  expect(before.state).toBe('routed');
  expect(JSON.stringify(leftBehind.body)).toContain('Collecting evidence');

  // A click on the left-behind card (its Escalate, signed when it was drawn).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const actions = leftBehind.body.attachments[0].content.actions as Array<{ title: string; data: { value: string } }>;
  const escalate = actions.find((a) => a.title === 'Escalate')!;
  const answer = await stack.send(executeInvoke(stack.connector.url, escalate.data.value, leftBehind.createdId!));
  expect(answer.status).toBe(200);
  const answered = JSON.stringify(answer.body);
  expect(answered).toContain('This card was replaced');
  expect(answered).not.toContain('Collecting evidence');

  // Redrawn for everyone in the conversation, with no buttons left on it.
  const [redraw] = stack.connector.updates(leftBehind.createdId!);
  expect(redraw).toBeDefined();
  const redrawn = redraw.body.attachments[0].content;
  expect(JSON.stringify(redrawn)).toContain('further down this conversation, where the triage goes on');
  expect(redrawn.actions).toBeUndefined();
  // The live card and the triage are untouched by the click.
  expect(stack.connector.updates(live.createdId!).every((u) => !JSON.stringify(u.body).includes('This card was replaced'))).toBe(true);
  expect((await stack.service.get(triageId))!).toMatchObject({ state: 'routed', version: before.version });
}, 60_000);
