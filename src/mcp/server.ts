/**
 * The MCP server over the triage engine, the same for stdio (`caracal-triage mcp`) and for
 * Streamable HTTP (`POST /mcp` on `serve`): one `McpServer` of the official SDK with every tool
 * of the registry (tools/index.ts) that is available with these dependencies.
 *
 * Every result leaves through `toResult`: the structured content (the CLI's `--json`) and the
 * text pass the engine's redactor once more, as whatever the engine returns was already
 * redacted (a second pass changes nothing there, and anything a tool wrote itself is covered).
 * The text comes first and the same JSON follows as a second text block, for clients that
 * read no structured content (the MCP specification asks for that). A tool that could not run
 * answers `isError` with one sentence; an unexpected failure too, its message redacted.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { safeJson } from '../render/outside-text';
import type { Redactor } from '../redact/redact';
import { MCP_TOOLS } from './tools/index';
import { redactorOf, type McpTool, type McpToolDeps, type ToolAnswer } from './tools/tool';

export const MCP_SERVER_NAME = 'caracal-triage';
export const MCP_SERVER_VERSION = '0.1.0';

const INSTRUCTIONS = [
  'Triage for Caracal, the authority enforcement layer for AI agents. When a call was denied (a token exchange refused, a resource answering invalid_token or insufficient_scope, an MCP server answering "<code>: <description>"), call explain_error with the error, then triage_request with the request ID if you have one.',
  'To see what is being denied right now, across zones, call recent_denials; triage one of its requestIds.',
  'With several Caracal deployments, each of those four tools takes `deployment` (a name from the bot\'s deployments file); without it triage_request and explain_error look for the request in every deployment, recent_denials reads them all and names each pattern\'s deployment, and get_bundle asks for one.',
  'Every answer of triage_request, explain_error, get_bundle and recent_denials comes from evidence read from Caracal at the time of the call; a step that cannot be checked says so. When the headline says "Not determined", there is no answer yet: give what it asks for. Nothing here changes Caracal.',
];

/** What the store's tools are, or why they are missing: a client that was told of them elsewhere learns here what to set. */
function instructionsFor(deps: McpToolDeps): string {
  const stored = deps.triages
    ? 'list_triages and get_triage read the triages the bot has recorded (chat and incident triages): what it stored as of each one\'s updatedAt, not a fresh read of Caracal.'
    : 'list_triages and get_triage (the triages the bot has recorded) are not offered: this server was started without REDIS_URL, the bot\'s store.';
  return [...INSTRUCTIONS, stored].join(' ');
}

/** An answer as the MCP result, redacted on the way out. */
export function toResult(answer: ToolAnswer, redactor: Redactor): CallToolResult {
  if (!answer.ok) return { isError: true, content: [{ type: 'text', text: redactor.redactText(answer.problem).text }] };
  const structured = redactor.redact(answer.structured).value;
  const text = redactor.redactText(answer.text).text;
  return { structuredContent: structured, content: [{ type: 'text', text }, { type: 'text', text: safeJson(structured) }] };
}

function register(server: McpServer, tool: McpTool, deps: McpToolDeps): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
      // Reads only: a client may call these without asking its user first.
      annotations: { title: tool.title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: tool.openWorld ?? true },
    },
    async (args: Record<string, unknown>) => {
      try {
        return toResult(await tool.run(args as never, deps), redactorOf(deps));
      } catch (e) {
        return toResult({ ok: false, problem: `${tool.name} failed: ${e instanceof Error ? e.message : String(e)}` }, redactorOf(deps));
      }
    },
  );
}

/**
 * A new server with every available tool (one per HTTP request, one for a stdio session). A tool
 * that cannot work here is left out of tools/list rather than listed to fail every call: the
 * store's two without REDIS_URL (the instructions say why).
 */
export function createMcpServer(deps: McpToolDeps): McpServer {
  const server = new McpServer({ name: MCP_SERVER_NAME, version: MCP_SERVER_VERSION }, { capabilities: { tools: {} }, instructions: instructionsFor(deps) });
  for (const tool of MCP_TOOLS) if (tool.available?.(deps) ?? true) register(server, tool, deps);
  return server;
}
