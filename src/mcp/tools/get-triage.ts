/**
 * `get_triage {triageId}`: one triage from the bot's store in full, the same object as
 * `caracal-triage show <triage-id> --json` (src/report/find-json.ts builds both); a triage the
 * store does not have is one clear `isError` sentence. Offered only when the server has the
 * store (REDIS_URL; src/mcp/triages.ts).
 */
import { showTriageJson, TRIAGE_ID_EXAMPLE, TriageIdRef } from '../../report/find-json';
import { TRIAGE_SHOW_SHAPE } from './schemas';
import { STORED_NOT_FRESH, triageShowText } from './stored-text';
import { defineTool, redactorOf, type McpToolDeps, type ToolAnswer } from './tool';

const input = {
  triageId: TriageIdRef.describe(`The triage's ID as list_triages, its chat card or \`caracal-triage list\` give it, e.g. ${TRIAGE_ID_EXAMPLE}.`),
};

export async function getTriage(args: { triageId: string }, deps: McpToolDeps): Promise<ToolAnswer> {
  const triages = deps.triages;
  if (!triages) return { ok: false, problem: 'get_triage needs the bot\'s store: start the server with REDIS_URL set.' };
  const read = await triages.read((finder) => showTriageJson(finder, args.triageId, triages.linkContext(), redactorOf(deps)));
  if (!read.ok) return read;
  if (!read.value) return { ok: false, problem: `No triage ${args.triageId} in the bot's store (finished triages are kept 7 days; list_triages shows the ones there are).` };
  return { ok: true, structured: read.value as unknown as Record<string, unknown>, text: triageShowText(read.value) };
}

export const GET_TRIAGE = defineTool({
  name: 'get_triage',
  title: 'Show one triage the bot has recorded',
  description: [
    'Shows one triage from the triage bot\'s own store in full: where it stands, the diagnosis, each step\'s verdict and evidence with when it was recorded, the history of who did what, the admin changes before the denial, the diagnostic bundle and its links.',
    `What it proves: what the bot recorded, and when. What it cannot know: ${STORED_NOT_FRESH.replace(/^A stored triage is/, 'a stored triage is')} A step with no recorded result had not been checked (or was still being checked) when it was stored.`,
    'The result is the same JSON as `caracal-triage show <triage-id> --json`; secrets are redacted. Read-only.',
  ].join(' '),
  inputSchema: input,
  outputSchema: TRIAGE_SHOW_SHAPE,
  openWorld: false,
  available: (deps) => deps.triages !== null,
  run: getTriage,
});
