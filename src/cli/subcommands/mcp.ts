/**
 * `caracal-triage mcp`: the MCP server on stdio, for an MCP client (an agent framework, an AI
 * coding assistant) that starts it as a child process. It reads the same Caracal settings as
 * `triage`, and the deny watcher's thresholds as `watch --once` reads them (a bad one is
 * reported on stderr before anything runs, exit 2), and needs no Redis; with REDIS_URL set it
 * also offers list_triages and get_triage over the bot's store, read as `list` and `show` read
 * it (TRIAGE_SIGNING_KEY and the link settings as for them). It exits 0 once the client hangs
 * up, or on SIGTERM/SIGINT. With CARACAL_DEPLOYMENTS_FILE the tools read every deployment: each
 * takes `deployment`, and every result names the one it read (src/mcp/tools/deployment-arg.ts).
 */
import { loadMcpStdioConfig } from '../../app/config';
import { serveStdio } from '../../mcp/stdio';
import { triagesOfRedis } from '../../mcp/triages';
import { openDeployments } from '../../triage/deployments';
import { EXIT_OK } from '../exit-codes';
import type { CommandIo } from './triage';

export async function runMcpCommand(io: CommandIo & { stdin: NodeJS.ReadableStream }): Promise<number> {
  const config = loadMcpStdioConfig(io.env);
  const deployments = openDeployments(config.deployments.deployments, config.secrets);
  const triages = config.store ? triagesOfRedis(config.store, config.links) : null;
  const serving = await serveStdio({ deployments, triages, denials: { thresholds: config.watch.thresholds, rules: config.rules } }, io.stdin, io.stdout);
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
