/**
 * `caracal-triage mcp`: the MCP server on stdio, for an MCP client (an agent framework, an AI
 * coding assistant) that starts it as a child process. It reads the same Caracal settings as
 * `triage` (a bad one is reported on stderr before anything runs, exit 2) and needs no Redis;
 * it exits 0 once the client hangs up, or on SIGTERM/SIGINT. With CARACAL_DEPLOYMENTS_FILE the
 * tools read its first deployment, and every result names it (`deployment`).
 */
import { loadTerminalConfig } from '../../app/config';
import { serveStdio } from '../../mcp/stdio';
import { openDeployments } from '../../triage/deployments';
import { EXIT_OK } from '../exit-codes';
import type { CommandIo } from './triage';

export async function runMcpCommand(io: CommandIo & { stdin: NodeJS.ReadableStream }): Promise<number> {
  const config = loadTerminalConfig(io.env);
  const deployments = openDeployments(config.deployments.deployments, config.secrets);
  const engine = deployments.all[0]!.engine;
  const serving = await serveStdio({ engine }, io.stdin, io.stdout);
  const onSignal = (): void => void serving.stop();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await serving.done;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await deployments.close();
  }
  return EXIT_OK;
}
