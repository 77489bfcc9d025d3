/**
 * Every MCP tool, in the order tools/list shows them. A tool is one file in this folder that
 * exports a `defineTool(…)`; adding one is that file and one line here. list_triages and
 * get_triage read the bot's records and are offered only with its store (REDIS_URL). No tool
 * writes: approvals and fixes stay with people in chat.
 */
import { EXPLAIN_ERROR } from './explain-error';
import { GET_BUNDLE } from './get-bundle';
import { GET_TRIAGE } from './get-triage';
import { LIST_TRIAGES } from './list-triages';
import type { McpTool } from './tool';
import { RECENT_DENIALS } from './recent-denials';
import { TRIAGE_REQUEST } from './triage-request';

export const MCP_TOOLS: readonly McpTool[] = [TRIAGE_REQUEST, EXPLAIN_ERROR, GET_BUNDLE, RECENT_DENIALS, LIST_TRIAGES, GET_TRIAGE];
