/**
 * Every MCP tool, in the order tools/list shows them. A tool is one file in this folder that
 * exports a `defineTool(…)`; adding one (recent_denials over the deny watcher's read,
 * list_triages and get_triage over the bot's records) is that file and one line here. No tool
 * writes: approvals and fixes stay with people in chat.
 */
import { EXPLAIN_ERROR } from './explain-error';
import { GET_BUNDLE } from './get-bundle';
import type { McpTool } from './tool';
import { TRIAGE_REQUEST } from './triage-request';

export const MCP_TOOLS: readonly McpTool[] = [TRIAGE_REQUEST, EXPLAIN_ERROR, GET_BUNDLE];
