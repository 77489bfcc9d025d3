/**
 * The one command flow every chat platform (and the incident sources) goes through, the
 * implementation of src/ingress/flow.ts's `CommandFlow`:
 *
 *   text → parse (grammar.ts) → authorize → start (TriageService) → CommandOutcome
 *   button value → verify (button-token.ts) → authorize → apply → ActionOutcome
 *
 * Adapters only turn their platform's request into a `CommandRequest` / `ActionRequest` and the
 * outcome into their own message. Metrics are counted here, so every platform reports the same
 * labels. Only fast work happens before an outcome: parsing, an in-memory authorization check,
 * and the service's Redis round trips, bounded by `startTimeoutMs` so a slow Redis never makes
 * a platform's acknowledgement late.
 */
import type { Logger } from 'pino';
import type { Redactor } from '../redact/redact';
import type { MessageRef } from '../chat/port';
import type { CommandFlow, CommandRequest, StartingCommand } from '../ingress/flow';
import type { IngressMetrics } from '../ingress/metrics';
import type { ReadinessReport } from '../ingress/readiness';
import type { TriageInput } from '../triage/record';
import type { StartTriageRequest, TriageService } from '../ingress/service-api';
import { eventFromClaim } from './button-event';
import { verifyButton } from './button-token';
import { helpText, parseCommand } from './grammar';
import { within } from '../time/race';
import { NO_LINKS, type LinksConfig } from '../report/config';
import { createFinder } from './find';
import { bindDeployment, type DeploymentDirectory } from './deployment-binding';

export interface CommandFlowOptions {
  service: TriageService;
  signingKey: string;
  metrics: IngressMetrics;
  logger: Logger;
  /** Redacts pasted error bodies before they are stored (tokens pasted along with them). */
  redactor: Redactor;
  /** Readiness for `status`. */
  readiness: () => Promise<ReadinessReport>;
  /** Longest wait for service.start before answering anyway (ms; the strictest platform allows 3 s for the whole ack). */
  startTimeoutMs?: number;
  /** Where links point (the page, the Console, the runbook); default none. */
  links?: LinksConfig;
  /** The deployments commands may name and the channels bound to them; absent: one deployment, nothing to name. */
  deployments?: DeploymentDirectory;
  now?: () => Date;
}

const APPLY_MESSAGES: Record<string, string> = {
  not_found: 'This triage no longer exists (expired from storage); nothing was changed. Start a new one with `triage <request-id>`.',
  conflict: 'Someone else changed this triage at the same moment; nothing was changed. Look at the card again and click once more if still needed.',
};

/** What a card the triage left behind says once someone clicks it. */
export const REPLACED_MESSAGE =
  'This card was replaced: the bot restarted while posting it and posted the triage\'s card again, further down this conversation, where the triage goes on. Nothing was changed; use that card.';

export function createCommandFlow(opts: CommandFlowOptions): CommandFlow {
  const { service, metrics, logger } = opts;
  const startTimeoutMs = opts.startTimeoutMs ?? 2000;
  const finder = createFinder({ service, links: opts.links ?? NO_LINKS, signingKey: opts.signingKey, timeoutMs: startTimeoutMs, now: opts.now ?? (() => new Date()) });

  function startRequest(cmd: StartingCommand, req: CommandRequest): StartTriageRequest {
    const input: TriageInput = cmd.kind === 'bundle' ? { requestId: null, zoneId: cmd.zoneId, symptom: null, error: null, ...(cmd.deployment ? { deployment: cmd.deployment } : {}) } : { ...cmd.input };
    // A pasted error body is stored with the triage: secrets pasted along with it are not.
    if (input.error) input.error = opts.redactor.redactText(input.error).text;
    if (input.errorRoute) input.errorRoute = opts.redactor.redact(input.errorRoute).value;
    const start: StartTriageRequest = { input, destination: req.destination, actor: req.actor, dedupeKey: req.dedupeKey, source: req.source };
    if (cmd.kind === 'bundle') start.postBundle = true;
    return start;
  }

  return {
    start: (req) => service.start(req),
    home: (req) => finder.home(req),

    async command(req) {
      const count = (command: string, outcome: string) => metrics.commands.inc({ platform: req.platform, command, outcome });
      const grammar = { prefix: req.prefix, ...(opts.deployments ? { deployments: opts.deployments.names } : {}) };
      const parsed = parseCommand(req.text, grammar);
      // Which deployment it reads: named, the channel's, or (several, with a request ID) looked for by the worker.
      const bound = opts.deployments && (parsed.kind === 'triage' || parsed.kind === 'bundle') ? bindDeployment(parsed, service.placeOf?.(req.destination) ?? null, opts.deployments, req.prefix, { platform: req.platform, name: req.channelName ?? null }) : null;
      const cmd = bound === null ? parsed : bound.ok ? bound.command : ({ kind: 'invalid', message: bound.message } as const);
      switch (cmd.kind) {
        case 'invalid':
          count('invalid', 'invalid');
          return { kind: 'invalid', message: cmd.message };
        case 'help':
          count('help', 'help');
          return { kind: 'help', text: helpText(grammar) };
        case 'status': {
          count('status', 'status');
          return { kind: 'status', readiness: (await within(opts.readiness(), 1000).catch(() => undefined)) ?? null };
        }
      }
      const allowed = req.authorize();
      if (!allowed.ok) {
        count(cmd.kind, 'unauthorized');
        return { kind: 'unauthorized', message: allowed.message };
      }
      if (cmd.kind === 'list' || cmd.kind === 'show') {
        try {
          const outcome = cmd.kind === 'list' ? await finder.list(req, cmd.scope) : await finder.show(req, cmd.triageId);
          count(cmd.kind, outcome.kind === 'list' || outcome.kind === 'show' ? 'answered' : outcome.kind);
          return outcome;
        } catch (e) {
          count(cmd.kind, 'error');
          logger.error({ err: e, platform: req.platform }, `could not ${cmd.kind} triages`);
          return { kind: 'invalid', message: 'The bot cannot read its triages right now (its store is unavailable or slow); try again in a minute.' };
        }
      }
      const started = service.start(startRequest(cmd, req));
      let result;
      try {
        result = await within(started, startTimeoutMs);
      } catch (e) {
        count(cmd.kind, 'error');
        logger.error({ err: e, dedupeKey: req.dedupeKey, platform: req.platform }, 'could not start a triage');
        return { kind: 'unavailable', command: cmd };
      }
      if (!result) {
        count(cmd.kind, 'timeout');
        started.catch((e) => logger.error({ err: e, dedupeKey: req.dedupeKey, platform: req.platform }, 'triage start failed after the answer'));
        return { kind: 'slow', command: cmd };
      }
      if (!result.created && result.open) {
        count(cmd.kind, 'open');
        logger.info({ triageId: result.triageId, platform: req.platform, source: req.source }, 'command repeated while its triage is open');
        return { kind: 'open', command: cmd, triageId: result.triageId, card: result.open.card, link: result.open.link, ...(result.restarted ? { restarted: true } : {}) };
      }
      count(cmd.kind, result.created ? 'started' : 'duplicate');
      logger.info({ triageId: result.triageId, created: result.created, platform: req.platform, source: req.source }, 'command');
      return { kind: 'started', command: cmd, triageId: result.triageId, created: result.created };
    },

    async action(req) {
      const count = (outcome: string) => metrics.clicks.inc({ platform: req.platform, outcome });
      const verified = verifyButton(req.value, opts.signingKey, opts.now?.());
      if (!verified.ok) {
        count(verified.reason);
        logger.warn({ reason: verified.reason, user: req.actor.id, platform: req.platform }, 'refused a button payload');
        return { kind: 'refused', reason: verified.reason, message: verified.message };
      }
      const triageId = verified.claim.triageId;
      let card: MessageRef | null;
      try {
        card = await service.messageRef(triageId);
      } catch (e) {
        count('error');
        logger.error({ err: e, triageId }, 'could not read the card a click came from');
        return { kind: 'refused', reason: 'error', message: 'The bot could not record that click (its queue is unavailable); nothing was changed. Try again in a minute.', triageId };
      }
      const onCard = card !== null && req.fromCard(card);
      if (card && !onCard && req.sameConversation?.(card)) {
        count('replaced');
        logger.info({ triageId, user: req.actor.id, platform: req.platform }, 'a click on a card the triage left behind (another run posted it again); pointed it at the card in use');
        return { kind: 'refused', reason: 'replaced', message: REPLACED_MESSAGE, triageId, replacedBy: card };
      }
      if (!card || !onCard) {
        count('wrong_card');
        logger.warn({ triageId, user: req.actor.id, platform: req.platform }, 'refused a click from a message that is not the triage\'s card');
        return { kind: 'refused', reason: 'wrong_card', message: 'That button does not belong to this message (it was copied from another card or channel); nothing was changed.', triageId };
      }
      // The click's channel is the card's channel now, so this is the triage's channel too.
      const allowed = req.authorize();
      if (!allowed.ok) {
        count('unauthorized');
        return { kind: 'refused', reason: 'unauthorized', message: allowed.message, triageId };
      }
      if (verified.claim.action === 'export') {
        try {
          const exported = await finder.exportOf(triageId);
          if (!exported) {
            count('not_found');
            return { kind: 'refused', reason: 'not_found', message: APPLY_MESSAGES.not_found!, triageId };
          }
          count('export');
          logger.info({ triageId, user: req.actor.id, platform: req.platform }, 'exported a triage');
          return { kind: 'export', triageId, record: exported.found.record, fileName: exported.fileName, title: `Postmortem export of triage ${triageId}`, markdown: exported.markdown, links: exported.links };
        } catch (e) {
          count('error');
          logger.error({ err: e, triageId }, 'could not export a triage');
          return { kind: 'refused', reason: 'error', message: 'The bot could not read this triage for the export (its store is unavailable); nothing was changed. Try again in a minute.', triageId };
        }
      }
      const event = eventFromClaim(verified.claim, req.actor);
      if (!event) {
        count('malformed');
        return { kind: 'refused', reason: 'malformed', message: 'That button is not one of ours (unreadable data); nothing was changed.', triageId };
      }
      let result;
      try {
        result = await service.apply(triageId, event, req.source);
      } catch (e) {
        count('error');
        logger.error({ err: e, triageId }, 'could not apply a button click');
        return { kind: 'refused', reason: 'error', message: 'The bot could not record that click (its queue is unavailable); nothing was changed. Try again in a minute.', triageId };
      }
      if (result.ok) {
        count('applied');
        return { kind: 'applied', triageId, record: result.record };
      }
      count(result.reason);
      return { kind: 'refused', reason: result.reason, message: APPLY_MESSAGES[result.reason] ?? result.message, triageId };
    },
  };
}
