/**
 * The finding half of the command flow (flow.ts): `list`, `show <id>`, a person's home, and the
 * card's *Export* button. Reads only (TriageService.list/find/auditTrail), each bounded by the
 * flow's time budget so a slow Redis never makes an acknowledgement late.
 *
 * Who sees what: `list` shows the open triages of the conversation it is typed in, to anyone
 * the platform lets use the bot there; `list mine` a person's own; `list all`, and `show` of a
 * triage whose card is in another conversation (private channels included), only to people the
 * platform's `mayListAll` admits (on Slack and Teams: the people the operators named in the
 * user allow-list); `show` of a triage the person started is always theirs to see.
 */
import type { AuthzDecision, CommandOutcome, CommandRequest, HomeOutcome, HomeRequest, ListedTriage, ListScope } from '../ingress/flow';
import type { FoundTriage, TriageService } from '../ingress/service-api';
import type { LinksConfig } from '../report/config';
import { triageLinks } from '../report/links';
import { exportFileName, postmortemMarkdown } from '../report/markdown';
import { within } from '../time/race';

export interface FindOptions {
  service: TriageService;
  links: LinksConfig;
  signingKey: string;
  timeoutMs: number;
  now: () => Date;
}

/** How many triages one answer lists. */
export const LIST_LIMIT = 10;

export const NOT_ALLOWED_ALL =
  'Listing every channel\'s triages shows private channels too, so it is for the people the bot\'s operators named (TRIAGE_ALLOWED_USERS or TRIAGE_ALLOWED_USERGROUPS on Slack, TEAMS_ALLOWED_USERS on Teams). `list` shows this conversation\'s, `list mine` yours.';

class Slow extends Error {}

async function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  const r = await within(work, ms);
  if (r === undefined) {
    work.catch(() => undefined);
    throw new Slow('the triage store did not answer in time');
  }
  return r;
}

export function createFinder(o: FindOptions) {
  const listed = (found: FoundTriage): ListedTriage => ({ found, links: triageLinks(found.record, { config: o.links, signingKey: o.signingKey, now: o.now() }) });
  const allowedAll = (req: Pick<CommandRequest, 'mayListAll'>): AuthzDecision => req.mayListAll?.() ?? { ok: false, message: NOT_ALLOWED_ALL };

  return {
    /** `list [mine|all]`; throws when the store is unreachable or slow (the flow answers "unavailable"). */
    async list(req: CommandRequest, scope: ListScope): Promise<CommandOutcome> {
      if (scope === 'all') {
        const all = allowedAll(req);
        if (!all.ok) return { kind: 'unauthorized', message: all.message };
      }
      const query = scope === 'here' ? { in: req.destination, open: true } : scope === 'mine' ? { actor: req.actor.id } : { open: true };
      const page = await bounded(o.service.list({ ...query, limit: LIST_LIMIT }), o.timeoutMs);
      return { kind: 'list', scope, triages: page.triages.map(listed), more: page.more };
    },

    async show(req: CommandRequest, triageId: string): Promise<CommandOutcome> {
      const found = await bounded(o.service.find(triageId), o.timeoutMs);
      const missing: CommandOutcome = {
        kind: 'missing',
        triageId,
        message: `There is no triage \`${triageId}\` (finished triages are kept 7 days; \`list\` shows this conversation's).`,
      };
      if (!found) return missing;
      const here = found.place !== null && found.place === (o.service.placeOf?.(req.destination) ?? null);
      const own = found.startedBy.kind === 'user' && found.startedBy.id === req.actor.id;
      if (!here && !own && !allowedAll(req).ok) {
        return { kind: 'unauthorized', message: 'That triage\'s card is in another conversation, which this one may not see. Ask there, or someone the operators named (they may `list all`).' };
      }
      return { kind: 'show', triage: listed(found) };
    },

    async home(req: HomeRequest): Promise<HomeOutcome> {
      try {
        const [mine, open] = await Promise.all([
          bounded(o.service.list({ actor: req.actor.id, limit: LIST_LIMIT }), o.timeoutMs),
          req.places ? bounded(o.service.list({ open: true, limit: 200 }), o.timeoutMs) : Promise.resolve(null),
        ]);
        const where = req.places;
        const openHere = open && where ? open.triages.filter((t) => t.place !== null && where.has(t.place)).slice(0, LIST_LIMIT) : null;
        return { mine: mine.triages.map(listed), open: openHere ? openHere.map(listed) : null, unavailable: false };
      } catch {
        return { mine: [], open: null, unavailable: true };
      }
    },

    /** The postmortem of one triage (service reads, then pure rendering). */
    async exportOf(triageId: string) {
      const found = await o.service.find(triageId);
      if (!found) return null;
      const trail = await o.service.auditTrail(triageId);
      const links = triageLinks(found.record, { config: o.links, signingKey: o.signingKey, now: o.now() });
      const markdown = postmortemMarkdown({ found, trail, links: { config: o.links, signingKey: o.signingKey, now: o.now() } });
      return { found, markdown, fileName: exportFileName(triageId), links };
    },
  };
}
