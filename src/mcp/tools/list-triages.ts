/**
 * `list_triages {open?, limit?}`: the triages in the bot's store, newest first, the same object
 * as `caracal-triage list [--open] [--limit N] --json` (src/report/find-json.ts builds both).
 * Offered only when the server has the store (REDIS_URL; src/mcp/triages.ts).
 */
import { z } from 'zod';
import { DEFAULT_LIST_LIMIT, listTriagesJson, MAX_LIST_LIMIT } from '../../report/find-json';
import { TRIAGE_LIST_SHAPE } from './schemas';
import { triageListText, STORED_NOT_FRESH } from './stored-text';
import { defineTool, redactorOf, type McpToolDeps, type ToolAnswer } from './tool';

const input = {
  open: z.boolean().optional().describe('Only open triages (neither resolved nor abandoned; an escalated one is still open). Default: every triage the store keeps, finished ones for 7 days.'),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe(`Most to return, ${DEFAULT_LIST_LIMIT} unless given (at most ${MAX_LIST_LIMIT}); \`more\` says whether more matched.`),
};

export async function listTriages(args: { open?: boolean; limit?: number }, deps: McpToolDeps): Promise<ToolAnswer> {
  const triages = deps.triages;
  if (!triages) return { ok: false, problem: 'list_triages needs the bot\'s store: start the server with REDIS_URL set.' };
  const q = { open: !!args.open, limit: args.limit ?? DEFAULT_LIST_LIMIT };
  const read = await triages.read((finder) => listTriagesJson(finder, q, triages.linkContext(), redactorOf(deps)));
  if (!read.ok) return read;
  return { ok: true, structured: read.value as unknown as Record<string, unknown>, text: triageListText(read.value, q) };
}

export const LIST_TRIAGES = defineTool({
  name: 'list_triages',
  title: 'List the triages the bot has recorded',
  description: [
    'Lists the triages in the triage bot\'s own store, newest first (open ones by latest activity): each with where it stands in words, its request, zone, diagnosed cause, where its chat card went, who started it and when the bot last recorded a change.',
    `What it proves: what the bot recorded about each triage, people's clicks included. What it cannot know: ${STORED_NOT_FRESH.replace(/^A stored triage is/, 'a stored triage is')} Finished triages are kept 7 days; the list covers every conversation, private ones included.`,
    'The result is the same JSON as `caracal-triage list [--open] [--limit N] --json`; secrets are redacted. Read-only.',
  ].join(' '),
  inputSchema: input,
  outputSchema: TRIAGE_LIST_SHAPE,
  openWorld: false,
  available: (deps) => deps.triages !== null,
  run: listTriages,
});
