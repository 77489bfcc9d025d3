import { STEP_IDS } from '../../src/triage/model';
import { countBy, createHarness, waitFor, type Harness } from './harness';

describe('a triage from enqueue to the last threaded post', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('flow', { scenario: 'grant_missing' });
  });
  afterAll(async () => {
    await h.close();
  });

  test('the card is posted once, each step replies in its thread, and the final card shows the diagnosis', async () => {
    h.startWorkers();
    const id = await h.startTriage();
    const record = await h.waitSettled(id);
    expect(record.state).toBe('routed');
    expect(record.diagnosis).toMatchObject({ surface: 'sts_policy', step: 'grant_policy', cause: 'scope_not_granted' });

    const calls = h.port.delivered(id);
    expect(countBy(h.port, id).postCard).toBe(1);
    const card = calls.find((c) => c.method === 'postCard')!;
    const steps = calls.filter((c) => c.method === 'postStep');
    expect(steps.map((c) => c.step).sort()).toEqual([...STEP_IDS].sort());
    // Every reply went into the card's thread.
    for (const s of steps) expect(s.ref).toEqual(card.ref);
    expect(steps.every((s) => s.seq > card.seq)).toBe(true);
    const last = calls.filter((c) => c.method === 'updateCard').at(-1)!;
    expect(last.version).toBe(record.version);
    expect(last.text).toMatch(/Diagnosis: sts_policy at grant_policy \(scope_not_granted/);
    // Stored reference survives for any process.
    expect(await h.service.messageRef(id)).toEqual(card.ref);
  });
});

describe('on-call buttons and incident bundles through the worker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('buttons', { scenario: 'grant_missing' });
    h.startWorkers();
  });
  afterAll(async () => {
    await h.close();
  });

  test('"Fixed, re-check" collects that step again and posts the new evidence in the thread; "Skip" posts the skip', async () => {
    const id = await h.startTriage();
    const routed = await h.waitSettled(id);
    const applied = await h.service.apply(id, { type: 'recheck', actor: { kind: 'user', id: 'U7', name: 'lin' }, step: 'grant_policy', expectedVersion: routed.version }, 'button');
    expect(applied.ok).toBe(true);
    const after = await h.waitSettled(id);
    expect(after.state).toBe('walking');
    const grantPosts = h.port.delivered(id).filter((c) => c.method === 'postStep' && c.step === 'grant_policy');
    expect(grantPosts).toHaveLength(2);

    const skipped = await h.service.apply(id, { type: 'skip', actor: { kind: 'user', id: 'U7', name: 'lin' }, step: 'audit_trace' }, 'button');
    expect(skipped.ok).toBe(true);
    await h.waitSettled(id);
    const auditPosts = h.port.delivered(id).filter((c) => c.method === 'postStep' && c.step === 'audit_trace');
    expect(auditPosts.at(-1)!.text).toMatch(/skipped\. Skipped by lin/);
    const card = h.port.delivered(id).filter((c) => c.method === 'updateCard').at(-1)!;
    expect(card.version).toBe((await h.service.get(id))!.version);
    expect(h.port.delivered(id).filter((c) => c.method === 'postCard')).toHaveLength(1);
  });

  test('an incident triage posts the diagnostic bundle into the thread once', async () => {
    const id = await h.startTriage({ postBundle: true, source: 'incident_channel' });
    await h.waitSettled(id);
    await waitFor('bundle post', async () => h.port.delivered(id).some((c) => c.method === 'postBundle'));
    const bundles = h.port.delivered(id).filter((c) => c.method === 'postBundle');
    expect(bundles).toHaveLength(1);
    expect(bundles[0].text).toMatch(/^Diagnostic bundle \(\d+ value\(s\) redacted\)/);
    expect(bundles[0].text).toMatch(/- readiness: /);
  });
});
