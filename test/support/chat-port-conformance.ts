/**
 * The ChatPort contract (src/chat/port.ts) as one suite, run against every port: Slack's against
 * the fake Web API, Teams' against the fake Bot Connector, and the in-memory port the queue tests
 * and the benchmark post through (so what they prove holds for a port that behaves like the real
 * ones). Each port brings a `PortBench`: the port, fresh addresses, and its platform seen from the
 * outside (what was posted, replied, updated; how to make it say "slow down" or refuse). What a
 * platform renders and its own quirks stay in the port's own tests.
 *
 * What every port must do:
 *   - say what it is: a known platform, capability flags, `postSteps` when it folds steps;
 *   - post a card where it is told and return a reference to it that survives JSON (Redis);
 *   - update that card in place; reply in its thread with a step, several steps, the bundle;
 *   - name the conversation of a destination or a reference (stable, one per conversation);
 *   - refuse another platform's address with a ChatPermanentError, before calling anything;
 *   - turn "slow down" into ChatRateLimitedError carrying the platform's Retry-After, at once
 *     and after one attempt (the shared limiter owns the wait), the call going through after;
 *   - turn refusals no retry can fix into ChatPermanentError, saying whether the message or the
 *     whole conversation is refused;
 *   - with `findPost`: find a post again by its identity, and post nothing for a found post.
 */
import { parseAddress } from '../../src/chat/address';
import { CHAT_PLATFORMS } from '../../src/app/platforms';
import { ChatPermanentError, ChatRateLimitedError, type ChatPort, type Destination, type MessageRef } from '../../src/chat/port';
import { STEP_IDS, STEP_TITLES, type StepId } from '../../src/triage/model';
import type { TriageRecord } from '../../src/triage/record';
import { REQUEST_ID, diagnosedRecord } from './triage-records';

/** One message the platform holds, as its fake recorded it. */
export interface SeenPost {
  /** The platform's ID of the message. */
  id: string;
  /** The message it replies to (its thread), or null. */
  replyTo: string | null;
  /** Everything a person could read in it (text, blocks or card JSON). */
  text: string;
}

export interface PortBench {
  readonly port: ChatPort;
  /** A destination in a conversation of its own (each call gives a new one). */
  destination(): Destination;
  /** Another platform's destination, as the core might wrongly hand it over. */
  readonly foreign: Destination;
  /** The platform's ID of the message a reference points at. */
  idOf(ref: MessageRef): string;
  /** Messages posted since the last reset, in order. */
  posts(): SeenPost[];
  /** IDs of the messages updated since the last reset, in order. */
  updates(): string[];
  /** Calls the platform received since the last reset (answered or refused). */
  attempts(): number;
  /** The platform's next answer is "slow down, retry after `seconds`". */
  slowDownNext(seconds: number): void;
  /** The platform's next answer refuses for good: the whole conversation, or this one message. */
  refuseNext(what: 'conversation' | 'message'): void;
  /** Forget what was seen and any answer still queued. */
  reset(): void;
  /**
   * Tests this port is known to fail (listed by name, with the reason in a comment where the
   * bench is built): they run as `it.failing`, so the day the port is fixed the suite says so.
   */
  readonly knownDeviations?: readonly string[];
}

const record = (over: Partial<TriageRecord> = {}): TriageRecord => diagnosedRecord('conformance', over);
const ANOTHER_TRIAGE = 'tri-01jdxyz0another00000000000';

/** Runs the contract against the bench `make()` returns once the port's fakes are up (`beforeAll`). */
export function describeChatPort(name: string, make: () => Promise<{ bench: PortBench; close(): Promise<void> }>): void {
  describe(`${name}: the ChatPort contract`, () => {
    let bench: PortBench;
    let close: () => Promise<void> = async () => undefined;
    const check = (title: string, fn: () => Promise<void> | void): void => {
      // `bench` is not known while jest collects the tests, so each test checks the list itself.
      it(title, async () => {
        if (!bench.knownDeviations?.includes(title)) return fn();
        let failed = false;
        try {
          await fn();
        } catch {
          failed = true;
        }
        if (!failed) throw new Error(`"${title}" is listed as a known deviation of this port but now passes: remove it from knownDeviations`);
      });
    };

    beforeAll(async () => {
      ({ bench, close } = await make());
    });
    afterAll(() => close());
    beforeEach(() => bench.reset());

    const postCard = async (r = record()) => {
      const dest = bench.destination();
      const card = await bench.port.postCard(dest, r);
      return { dest, card };
    };

    check('names a known platform and says what it can do', () => {
      const { platform, capabilities } = bench.port;
      expect(CHAT_PLATFORMS.map((p) => p.name)).toContain(platform);
      for (const flag of ['updates', 'threads', 'ephemeral', 'files'] as const) expect(typeof capabilities[flag]).toBe('boolean');
      if (capabilities.foldSteps !== undefined) {
        expect(Number.isInteger(capabilities.foldSteps) && capabilities.foldSteps >= 1).toBe(true);
        // A port that folds steps into one reply must offer the call that posts them.
        if (capabilities.foldSteps > 1) expect(typeof bench.port.postSteps).toBe('function');
      }
    });

    check('posts the card where it is told, and returns a reference that survives JSON', async () => {
      const { card } = await postCard();
      expect(card.platform).toBe(bench.port.platform);
      expect(parseAddress(JSON.stringify(card))).toEqual(card);
      const posts = bench.posts();
      expect(posts.map((p) => p.id)).toEqual([bench.idOf(card)]);
      expect(posts[0]!.text).toContain(REQUEST_ID);
    });

    check('updates the card in place, posting nothing new', async () => {
      const { card } = await postCard();
      await bench.port.updateCard(card, record({ version: 4, state: 'walking', current: 'requested_scopes' }));
      expect(bench.updates()).toEqual([bench.idOf(card)]);
      expect(bench.posts()).toHaveLength(1);
    });

    check('replies in the card\'s thread with a step, and with the bundle', async () => {
      const { card } = await postCard();
      const r = record();
      const step = await bench.port.postStep(card, r, 'requested_scopes');
      const bundle = await bench.port.postBundle(card, r);
      const [, stepPost, bundlePost] = bench.posts();
      expect(bench.posts()).toHaveLength(3);
      if (bench.port.capabilities.threads) {
        expect(stepPost!.replyTo).toBe(bench.idOf(card));
        expect(bundlePost!.replyTo).toBe(bench.idOf(card));
      }
      expect(stepPost!.text).toContain(STEP_TITLES.requested_scopes);
      for (const [ref, post] of [[step, stepPost], [bundle, bundlePost]] as const) {
        // A reply's reference, when the port gives one, points at the reply and survives JSON too.
        if (!ref) continue;
        expect(ref.platform).toBe(bench.port.platform);
        expect(bench.idOf(ref)).toBe(post!.id);
        expect(parseAddress(JSON.stringify(ref))).toEqual(ref);
      }
    });

    check('folds several steps into one reply, each step there in order', async () => {
      if (!bench.port.postSteps) return;
      const { card } = await postCard();
      const steps: StepId[] = STEP_IDS.slice(0, Math.max(2, Math.min(bench.port.capabilities.foldSteps ?? 2, 4)));
      await bench.port.postSteps(card, record(), steps);
      const [, reply] = bench.posts();
      expect(bench.posts()).toHaveLength(2);
      if (bench.port.capabilities.threads) expect(reply!.replyTo).toBe(bench.idOf(card));
      const at = steps.map((s) => reply!.text.indexOf(STEP_TITLES[s]));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    });

    check('names each conversation by one stable key, the same for a card and its replies', async () => {
      const { dest, card } = await postCard();
      const key = bench.port.conversationOf(card);
      expect(typeof key).toBe('string');
      expect(key.length).toBeGreaterThan(0);
      expect(bench.port.conversationOf(JSON.parse(JSON.stringify(card)) as MessageRef)).toBe(key);
      expect(bench.port.conversationOf(dest)).toBe(bench.port.conversationOf(dest));
      expect(bench.port.conversationOf(bench.destination())).not.toBe(bench.port.conversationOf(dest));
      const reply = await bench.port.postStep(card, record(), 'readiness');
      if (reply) expect(bench.port.conversationOf(reply)).toBe(key);
    });

    check('refuses another platform\'s address with a ChatPermanentError, calling nothing', async () => {
      expect(() => bench.port.conversationOf(bench.foreign)).toThrow(ChatPermanentError);
      await expect(bench.port.postCard(bench.foreign, record())).rejects.toBeInstanceOf(ChatPermanentError);
      await expect(bench.port.updateCard(bench.foreign, record())).rejects.toBeInstanceOf(ChatPermanentError);
      await expect(bench.port.postStep(bench.foreign, record(), 'readiness')).rejects.toBeInstanceOf(ChatPermanentError);
      await expect(bench.port.postBundle(bench.foreign, record())).rejects.toBeInstanceOf(ChatPermanentError);
      expect(bench.attempts()).toBe(0);
    });

    check('turns "slow down" into ChatRateLimitedError with the Retry-After, at once and after one attempt; the call then goes through', async () => {
      const { card } = await postCard();
      bench.reset();
      bench.slowDownNext(30);
      const started = Date.now();
      const err = await bench.port.postStep(card, record(), 'readiness').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChatRateLimitedError);
      expect((err as ChatRateLimitedError).retryAfterMs).toBe(30_000);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(bench.attempts()).toBe(1);
      expect(bench.posts()).toEqual([]);
      await bench.port.postStep(card, record(), 'readiness');
      expect(bench.posts()).toHaveLength(1);
    });

    check('a card update told to slow down is a ChatRateLimitedError too', async () => {
      const { card } = await postCard();
      bench.reset();
      bench.slowDownNext(2);
      const err = await bench.port.updateCard(card, record()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChatRateLimitedError);
      expect((err as ChatRateLimitedError).retryAfterMs).toBe(2000);
      expect(bench.updates()).toEqual([]);
    });

    check('a conversation that refuses for good is a ChatPermanentError for the whole conversation', async () => {
      bench.refuseNext('conversation');
      const err = await bench.port.postCard(bench.destination(), record()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChatPermanentError);
      expect((err as ChatPermanentError).code).toMatch(/^[a-z_]+$/);
      expect((err as Error).message.length).toBeGreaterThan(0);
      expect((err as ChatPermanentError).affects).toBe('conversation');
      expect(bench.posts()).toEqual([]);
    });

    check('a message refused for good is a ChatPermanentError for that message only', async () => {
      const { card } = await postCard();
      bench.reset();
      bench.refuseNext('message');
      const err = await bench.port.postStep(card, record(), 'readiness').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChatPermanentError);
      expect((err as ChatPermanentError).code).toMatch(/^[a-z_]+$/);
      expect((err as ChatPermanentError).affects).toBe('message');
      expect(bench.posts()).toEqual([]);
    });

    describe('exactly once (ports with findPost)', () => {
      check('finds the card and a reply again by their identity, and nothing for another identity', async () => {
        const { findPost } = bench.port;
        if (!findPost) return;
        const r = record();
        const since = new Date(Date.now() - 60_000);
        const dest = bench.destination();
        const card = await bench.port.postCard(dest, r, { identity: { triageId: r.id, key: 'card' } });
        const reply = await bench.port.postStep(card, r, 'readiness', { identity: { triageId: r.id, key: 'step.readiness.v3' } });
        const replyId = bench.posts()[1]!.id;
        expect((await findPost.call(bench.port, dest, { triageId: r.id, key: 'card' }, since))?.ref).toEqual(card);
        const found = await findPost.call(bench.port, card, { triageId: r.id, key: 'step.readiness.v3' }, since);
        expect(found && bench.idOf(found.ref)).toBe(replyId);
        if (reply) expect(bench.idOf(reply)).toBe(replyId);
        expect(await findPost.call(bench.port, card, { triageId: r.id, key: 'step.configuration.v3' }, since)).toBeNull();
        expect(await findPost.call(bench.port, dest, { triageId: ANOTHER_TRIAGE, key: 'card' }, since)).toBeNull();
      });

      check('posts nothing again for a post it is told was found, and hands back where it is', async () => {
        if (!bench.port.findPost) return;
        const r = record();
        const { card } = await postCard(r);
        bench.reset();
        const found = { ref: card };
        expect(await bench.port.postCard(bench.destination(), r, { found })).toEqual(card);
        expect(await bench.port.postStep(card, r, 'readiness', { found })).toEqual(card);
        expect(await bench.port.postBundle(card, r, { found })).toEqual(card);
        expect(bench.posts()).toEqual([]);
      });
    });
  });
}
