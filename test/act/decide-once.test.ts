/**
 * One decision per claim, whatever happens to the worker: the decide job (src/act/approval-jobs.ts)
 * against the Caracal simulator and a real Redis, driven the way BullMQ drives it after a crash
 * or a timeout: `calling` left behind by a run that died, a call that reached Caracal but whose
 * answer never came back, and a token Caracal refuses.
 */
import type { Job } from 'bullmq';
import IORedis from 'ioredis';
import pino from 'pino';
import { startSimulator, ZONE_B, type Simulator } from '../../sim';
import { decideJob, type ApprovalJobDeps } from '../../src/act/approval-jobs';
import { approvalMessage } from '../../src/act/approval-view';
import { approvalKeyOf, createApprovalStore } from '../../src/act/approvals';
import { createActClient } from '../../src/caracal/act-client';
import { createAuditLog } from '../../src/audit/log';
import { ChatLimiter } from '../../src/posting/limiter';
import { createQueues, type TriageQueues } from '../../src/queue/queues';
import { createRedactor } from '../../src/redact/redact';
import { keys as keyLayout } from '../../src/store/keys';
import { deleteByPrefix, uniquePrefix } from '../queue/harness';

let sim: Simulator;
let redis: IORedis;
let queues: TriageQueues;
const prefix = uniquePrefix('decide');
const keys = keyLayout(prefix);
const clients: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'healthy_allow' });
  redis = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  queues = createQueues(redis, { prefix });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await queues.close();
  await deleteByPrefix(redis, prefix);
  await redis.quit();
  await sim.close();
});

function deps(token: string, timeoutMs = 3000): ApprovalJobDeps {
  const approver = createActClient({ apiUrl: sim.apiUrl, timeoutMs }, token);
  clients.push(approver);
  return {
    redis,
    keys,
    ports: {},
    limiter: new ChatLimiter(redis, prefix),
    logger: pino({ level: 'silent' }),
    queue: queues.act,
    audit: createAuditLog(redis, { prefix, signingKey: 'k'.repeat(40) }),
    approvals: createApprovalStore(redis, keys),
    redactor: createRedactor([]),
    holds: approver,
    approver,
    approvers: 1,
    sign: () => 'unused',
    now: () => new Date(),
  };
}

/** A hold the bot has a card for, and a click's claim on it. */
async function claimed(d: ApprovalJobDeps, decision: 'approve' | 'reject' = 'approve') {
  const { approval } = sim.acts.addApproval(ZONE_B);
  const key = approvalKeyOf(ZONE_B, approval.id);
  await d.approvals.recordEvent(key, ZONE_B, approval.id, null, { type: 'issued', facts: { eventId: 'e', occurredAt: new Date().toISOString(), tier: 'high', approverClass: 'operator', privacyMode: null, applicationId: null, agentSessionId: null, agentLabels: [], expiresAt: approval.expires_at }, dest: { platform: 'slack', channel: 'C0X' } });
  const claim = await d.approvals.claim(key, { decision, by: { id: 'U0APPROVER', name: 'ana', platform: 'slack' }, said: null, reason: 'Approved in Slack by ana (U0APPROVER) through caracal-triage', at: new Date().toISOString() });
  expect(claim).not.toBeNull();
  return { approval, key };
}

const job = (attemptsMade = 0): Job => ({ attemptsMade, opts: { attempts: 6 } }) as unknown as Job;
const callsFor = (id: string) => sim.acts.calls.filter((c) => c.id === id);

test('a run that finds `calling` set and the hold approved (the dead run\'s call went through) records it without calling again', async () => {
  const d = deps(sim.tokens.globalApprove);
  const { approval, key } = await claimed(d);
  // The dead run: it marked the call, Caracal recorded the approval, then the worker died.
  await d.approvals.markCalling(key, Date.now());
  const approved = await fetch(`${sim.apiUrl}/v1/zones/${ZONE_B}/approvals/${approval.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${sim.tokens.globalApprove}`, 'content-type': 'application/json' }, body: '{}' });
  expect(approved.status).toBe(200);
  await decideJob(d, job(1), key);
  expect(callsFor(approval.id)).toHaveLength(1);
  expect((await d.approvals.get(key))?.result).toMatchObject({ outcome: 'found_decided', state: 'approved' });
});

test('a run that finds `calling` set and the hold still pending (the dead run never reached Caracal) calls once', async () => {
  const d = deps(sim.tokens.globalApprove);
  const { approval, key } = await claimed(d);
  await d.approvals.markCalling(key, Date.now());
  await decideJob(d, job(1), key);
  expect(callsFor(approval.id)).toHaveLength(1);
  expect((await d.approvals.get(key))?.result).toMatchObject({ outcome: 'decided', state: 'approved', status: 200 });
  // The job retried once more (BullMQ after a lost lock) does nothing.
  await decideJob(d, job(2), key);
  expect(callsFor(approval.id)).toHaveLength(1);
});

test('a call Caracal acted on but whose answer never came back is not made twice: the retry reads the hold first', async () => {
  const d = deps(sim.tokens.globalApprove, 300);
  const { approval, key } = await claimed(d);
  sim.setFault('api', `/v1/zones/${ZONE_B}/approvals/${approval.id}/approve`, { afterMs: 1500, times: 1 });
  await expect(decideJob(d, job(0), key)).rejects.toThrow(/timed out|timeout/i);
  expect((await d.approvals.get(key))?.calling).not.toBeNull();
  await decideJob(d, job(1), key);
  expect(callsFor(approval.id)).toHaveLength(1);
  expect((await d.approvals.get(key))?.result).toMatchObject({ outcome: 'found_decided', state: 'approved' });
});

test("Caracal's 403 approve_capability_required (a write token as CARACAL_APPROVE_TOKEN) is recorded in words, and frees the claim for a later click", async () => {
  const d = deps(sim.tokens.globalWrite);
  const { approval, key } = await claimed(d);
  await decideJob(d, job(0), key);
  const rec = await d.approvals.get(key);
  expect(rec?.result).toMatchObject({ outcome: 'refused', status: 403, code: 'approve_capability_required' });
  expect(rec?.claim).toBeNull();
  expect(sim.acts.approval(ZONE_B, approval.id)?.satisfied_at).toBeNull();
  const card = approvalMessage(rec!, { now: new Date(), approvers: 1, canCall: true, sign: () => 'v' });
  expect(card.lines.join('\n')).toContain("Caracal refused `ana (U0APPROVER)`'s approval (403 `approve_capability_required`): CARACAL_APPROVE_TOKEN is not a token of capability `approve`");
  expect(card.buttons.map((b) => b.label)).toEqual(['Approve', 'Reject']);
});
