/**
 * What one MCP tool is: its name, a description that says what it proves and what it cannot
 * know, a zod input shape (the SDK validates arguments with it and answers bad ones with an
 * `isError` result), an output shape, and `run`. Every tool is read-only: it reads Caracal or the
 * bot's own records and changes nothing; approvals and fixes stay with people in chat.
 *
 * `run` returns an answer, never a result: the server (../server.ts) turns it into the MCP
 * result, redacting both the structured content and the text once more on the way out.
 */
import type { z } from 'zod';
import type { DenialReadSettings } from '../../incidents/watch/recent';
import type { Redactor } from '../../redact/redact';
import type { Deployments } from '../../triage/deployments';
import type { StoredTriages } from '../triages';

/** What the tools read through: the deployments (each with its triage engine), the deny watcher's thresholds (`recent_denials`) and the stored triages; a tool that needs more declares it in `available`. */
export interface McpToolDeps {
  /** Every Caracal deployment the bot serves (`default` alone without CARACAL_DEPLOYMENTS_FILE); a tool's `deployment` argument picks one. */
  deployments: Deployments;
  /** WATCH_* and the routes file's `thresholds:`, as `watch --once` reads them. */
  denials: DenialReadSettings;
  /** The bot's stored triages; null without REDIS_URL (list_triages and get_triage are then not offered). */
  triages: StoredTriages | null;
}

/**
 * A tool's answer: the structured content (equal to the CLI's `--json` for the same input) and
 * one text a model reads first (it leads with what the evidence supports); or why it could not
 * run, in one sentence.
 */
export type ToolAnswer = { ok: true; structured: Record<string, unknown>; text: string } | { ok: false; problem: string };

export interface McpTool<In extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  inputSchema: In;
  /** The top level of the structured content; inner objects stay open, so a new field is no breaking change. */
  outputSchema: z.ZodRawShape;
  /** Whether it reads the world outside the bot (Caracal; default) rather than the bot's own records. */
  openWorld?: boolean;
  /** Whether this server offers the tool (default: always). */
  available?(deps: McpToolDeps): boolean;
  run(args: z.infer<z.ZodObject<In>>, deps: McpToolDeps): Promise<ToolAnswer>;
}

/** Keeps a tool's argument types inside its own file; the registry holds them all alike. */
export function defineTool<In extends z.ZodRawShape>(tool: McpTool<In>): McpTool {
  return tool as unknown as McpTool;
}

/** The redactor of every answer: any engine's, as each redacts every deployment's secrets (src/triage/deployments.ts). */
export function redactorOf(deps: Pick<McpToolDeps, 'deployments'>): Redactor {
  return deps.deployments.all[0]!.engine.redactor;
}
