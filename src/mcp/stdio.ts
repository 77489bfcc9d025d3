/**
 * The MCP server on stdio (`caracal-triage mcp`): JSON-RPC messages on stdin and stdout, one
 * per line, so nothing else may ever be written to stdout (problems go to stderr). It runs
 * until the client hangs up (stdin ends, the SDK's StdioClientTransport ends it on close) or
 * `stop` is called (a signal), then closes the server; the caller closes the engine.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from './server';
import type { McpToolDeps } from './tools/tool';

export interface StdioServing {
  /** Resolves once the session has ended (the client hung up, or `stop`). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export async function serveStdio(deps: McpToolDeps, stdin: NodeJS.ReadableStream, stdout: NodeJS.WritableStream): Promise<StdioServing> {
  const server = createMcpServer(deps);
  const transport = new StdioServerTransport(stdin as never, stdout as never);
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let closing = false;
  // Closing the server closes the transport, which reports the close again: close once.
  const stop = async (): Promise<void> => {
    if (!closing) {
      closing = true;
      await server.close().catch(() => undefined);
    }
    return done;
  };
  stdin.once('end', () => void stop());
  stdin.once('close', () => void stop());
  await server.connect(transport);
  // However the session ends (our stop, or the transport giving up on unreadable input), it is done.
  server.server.onclose = () => {
    closing = true;
    finish();
  };
  return { done, stop };
}
