/**
 * The `caracal-triage` binary: argument parsing (commander) and exit codes. Each command's
 * work lives in src/cli/subcommands/*, each loaded only when its command runs: `--help` and a
 * mistyped argument answer without loading the Caracal client, and `triage` needs no Redis.
 *
 * Every command reads `.env` in the working directory when it exists, or the file named by
 * `--env-file PATH` (the process environment wins over either). Every line on stderr that
 * reports a problem begins with `caracal-triage:`.
 */
import { Command, CommanderError, Option } from 'commander';
import { withEnvFile } from '../config/env-file';
import { ConfigError } from '../config/problems';
import { SYMPTOMS } from '../triage/symptoms';
import { EXIT_CANNOT_RUN, UsageError } from './exit-codes';
import { errorLines } from './error-lines';
import type { CommandIo } from './subcommands/triage';

const VERSION = '0.1.0';

export interface CliIo extends CommandIo {
  /** Where `.env` is looked for (default the process's working directory). */
  cwd?: string;
  /** What `mcp` reads its client's messages from (default the process's stdin). */
  stdin?: NodeJS.ReadableStream;
}

function buildProgram(given: CliIo, setExit: (code: number) => void): Command {
  // Replaced before any action runs, once `.env` / --env-file has been read.
  let io: CommandIo = given;
  const program = new Command('caracal-triage')
    .description('Find why a call to Caracal failed: the failing surface, its cause, and the diagnostic bundle.')
    .version(VERSION)
    .option('--env-file <path>', 'read settings from this file instead of ./.env (the environment wins over it)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(errorLines(s)),
      outputError: (s, write) => write(s.replace(/^error: /, '')),
    })
    .exitOverride()
    .hook('preAction', () => {
      const path = program.opts<{ envFile?: string }>().envFile;
      const read = withEnvFile(given.env, { cwd: given.cwd ?? process.cwd(), path });
      io = { ...given, env: read.env, ...(read.file ? { settings: { file: read.file, fromFile: read.fromFile, demoPid: read.demoPid } } : {}) };
    });

  program
    .command('triage')
    .description('Triage one request (or, without an ID, start from readiness) and print the diagnosis, the eight steps and the bundle.')
    .argument('[request-id]', 'the X-Request-Id / requestId of the failed call')
    .option('--zone <zone>', 'the zone the request belongs to: its ID, slug or name (otherwise every visible zone is searched)')
    .addOption(new Option('--symptom <symptom>', 'what the caller saw').choices([...SYMPTOMS]))
    .option('--error <code-or-body>', 'a Caracal error code (e.g. access_denied) or a whole error body; routes it to its symptom')
    .option('--deployment <name>', 'the Caracal deployment to read (a name in CARACAL_DEPLOYMENTS_FILE); without it, with several, the request is looked for in each')
    .option('--json', 'print the machine-readable report (stable contract, see README)')
    .option('--verbose', 'print every piece of evidence in full')
    .addHelpText('after', '\nExit codes: 0 nothing failed, 1 a failing surface was found, 2 could not run.\nExample: caracal-triage triage 0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b --json')
    .action(async (requestId: string | undefined, opts) => {
      const { runTriageCommand } = await import('./subcommands/triage.js');
      setExit(await runTriageCommand(requestId, opts, io));
    });

  program
    .command('bundle')
    .description('Collect the diagnostic bundle alone (config summary, readiness, zones, preflight, provider binding; the last denial only with --zone or when one zone is visible).')
    .option('--zone <zone>', 'zone to focus on: its ID, slug or name')
    .option('--deployment <name>', 'the Caracal deployment to read (a name in CARACAL_DEPLOYMENTS_FILE)')
    .option('--json', 'print the bundle as JSON')
    .option('--verbose', 'print every piece of evidence in full')
    .action(async (opts) => {
      const { runBundleCommand } = await import('./subcommands/triage.js');
      setExit(await runBundleCommand(opts, io));
    });

  program
    .command('watch')
    .description('Read the denials of the last --since in every zone, group them into patterns (zone, application, resource, reason) and say which crossed the deny watcher\'s thresholds (no Redis).')
    .option('--once', 'read once and exit (the continuous watcher runs inside `worker` with WATCH_ENABLED=true)')
    .option('--since <duration>', 'how far back to read: 15m (default), 2h, 1d… up to 7d')
    .option('--zone <zone>', 'read only this zone: its ID, slug or name (default: CARACAL_ZONE_IDS, else every zone the token sees)')
    .option('--deployment <name>', 'read only this Caracal deployment (a name in CARACAL_DEPLOYMENTS_FILE; default: every one, in turn)')
    .option('--json', 'print {since, until, patterns: [{deployment?, zoneId, applicationId, resource, reason, count, firstAt, lastAt, requestIds, overThreshold}]} (deployment with CARACAL_DEPLOYMENTS_FILE)')
    .addHelpText('after', '\nExit codes: 0 no pattern crossed, 1 a pattern crossed its thresholds, 2 could not run.\nExample: caracal-triage watch --once --since 30m --json')
    .action(async (opts: { once?: boolean; since?: string; zone?: string; deployment?: string; json?: boolean }) => {
      const { runWatchCommand } = await import('./subcommands/watch.js');
      setExit(await runWatchCommand(opts, io));
    });

  program
    .command('fix')
    .description('Print the fix the bot would propose for a failed request (with --plan), without applying anything.')
    .argument('<request-id>', 'the X-Request-Id / requestId of the failed call')
    .option('--plan', 'print the remedy only (the terminal never applies one: that takes a second person, in chat)')
    .option('--zone <zone>', 'the zone the request belongs to: its ID, slug or name')
    .option('--deployment <name>', 'the Caracal deployment the request is in (a name in CARACAL_DEPLOYMENTS_FILE); without it, the one that holds it')
    .option('--json', 'print {requestId, diagnosis, remedy, reason, deployment} (stable contract, see README)')
    .addHelpText('after', '\nExit codes: 0 a remedy, 1 a cause the bot has no remedy for (or nothing failed), 2 could not run.\nExample: caracal-triage fix req-role-1 --plan --json')
    .action(async (requestId: string, opts) => {
      const { runFixCommand } = await import('./subcommands/fix.js');
      setExit(await runFixCommand(requestId, opts, io));
    });

  program
    .command('zones')
    .description('List the zones the admin token sees, by name, slug and ID (any of them works as --zone).')
    .option('--json', 'print {zones: [{id, name, slug}]}')
    .option('--deployment <name>', 'the Caracal deployment to read (a name in CARACAL_DEPLOYMENTS_FILE)')
    .addHelpText('after', '\nExit codes: 0 listed, 1 Caracal could not be read, 2 could not run.')
    .action(async (opts: { json?: boolean; deployment?: string }) => {
      const { runZonesCommand } = await import('./subcommands/zones.js');
      setExit(await runZonesCommand(opts, io));
    });

  program
    .command('deployments')
    .description('List the Caracal deployments the bot serves (CARACAL_DEPLOYMENTS_FILE, or `default`), whether each answers ready, and the zones its admin token sees.')
    .option('--json', 'print {deployments: [{name, apiUrl, ready, zones, reason}]}')
    .addHelpText('after', '\nExit codes: 0 all ready, 1 one or more unreachable or not ready, 2 could not run.')
    .action(async (opts: { json?: boolean }) => {
      const { runDeploymentsCommand } = await import('./subcommands/deployments.js');
      setExit(await runDeploymentsCommand(opts, io));
    });

  program
    .command('list')
    .description('List triages from the bot\'s store, newest first: where each stands, its request, zone, channel and links (needs REDIS_URL).')
    .option('--open', 'only open triages (neither resolved nor abandoned)')
    .option('--channel <channel>', 'only triages whose card went to this channel: slack:<channel id> or teams:<conversation id>')
    .option('--limit <n>', 'at most this many (1 to 200, default 20)')
    .option('--json', 'print {triages: [...], more} (stable contract, see README)')
    .addHelpText('after', '\nExit codes: 0 listed, 2 could not run (no REDIS_URL, Redis unreachable).')
    .action(async (opts) => {
      const { runListCommand } = await import('./subcommands/find.js');
      setExit(await runListCommand(opts, io));
    });

  program
    .command('show')
    .description('Show one triage from the bot\'s store: where it stands, its diagnosis, steps, history and links (needs REDIS_URL).')
    .argument('<triage-id>', 'the triage ID (tri-…) a card, `list` or the page shows')
    .option('--json', 'print the triage in full (stable contract, see README)')
    .option('--markdown', 'print the postmortem export: timeline, diagnosis, steps, changes, bundle, audit chain check')
    .addHelpText('after', '\nExit codes: 0 shown, 1 no such triage, 2 could not run (no REDIS_URL, Redis unreachable).')
    .action(async (triageId: string, opts) => {
      const { runShowCommand } = await import('./subcommands/find.js');
      setExit(await runShowCommand(triageId, opts, io));
    });

  program
    .command('demo')
    .description('Start the built-in Caracal simulator on loopback and triage its scenarios: see the bot work without a Caracal install.')
    .option('--scenario <name>', 'show one scenario in full (with --serve: the one to serve)')
    .option('--serve', 'keep the simulator running until Ctrl-C and print the CARACAL_… settings that point triage, serve or start at it')
    .option('--write-env <file>', 'with --serve: also write those settings to this file (refuses to overwrite an existing one)')
    .action(async (opts: { scenario?: string; serve?: boolean; writeEnv?: string }) => {
      if (opts.writeEnv !== undefined && !opts.serve) throw new UsageError('--write-env: only with --serve');
      if (opts.serve) {
        const { serveDemo } = await import('./subcommands/demo-serve.js');
        setExit(await serveDemo(opts.scenario, io, undefined, opts.writeEnv));
        return;
      }
      const { runDemo } = await import('./subcommands/demo.js');
      setExit(await runDemo(opts, io));
    });

  program
    .command('mcp')
    .description('Serve the triage as MCP tools on stdio (triage_request, explain_error, get_bundle; with REDIS_URL also list_triages and get_triage over the bot\'s store), for an agent or an AI coding assistant that starts this command; reads the same Caracal settings as triage.')
    .addHelpText('after', '\nRuns until the client closes stdin. Nothing but MCP messages is written to stdout; problems go to stderr.\nThe same tools are served over HTTP at POST /mcp by `serve` when MCP_TOKEN is set (README "MCP").')
    .action(async () => {
      const { runMcpCommand } = await import('./subcommands/mcp.js');
      setExit(await runMcpCommand({ ...io, stdin: given.stdin ?? process.stdin }));
    });

  program
    .command('serve')
    .description('Run the web process: chat platforms, health, readiness, metrics (needs REDIS_URL and TRIAGE_SIGNING_KEY).')
    .action(async () => {
      const { runProcessCommand } = await import('./subcommands/processes.js');
      setExit(await runProcessCommand(io, { web: true, worker: false }));
    });

  program
    .command('worker')
    .description('Run a worker: collects evidence and posts results (needs REDIS_URL and TRIAGE_SIGNING_KEY).')
    .action(async () => {
      const { runProcessCommand } = await import('./subcommands/processes.js');
      setExit(await runProcessCommand(io, { web: false, worker: true }));
    });

  program
    .command('start')
    .description('Run web and worker in one process, for small installs.')
    .action(async () => {
      const { runProcessCommand } = await import('./subcommands/processes.js');
      setExit(await runProcessCommand(io, { web: true, worker: true }));
    });

  const audit = program.command('audit').description("The bot's own tamper-evident audit log.");
  audit
    .command('verify')
    .description('Check the HMAC chain of the audit log; exit 1 on a break.')
    .action(async () => {
      const { runAuditVerify } = await import('../app/audit.js');
      setExit(await runAuditVerify(io.env, { stdout: io.stdout, err: (line) => void io.stderr.write(errorLines(line)) }));
    });

  return program;
}

/** Runs the CLI; resolves to the process exit code. Never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (c) => {
    exitCode = c;
  });
  try {
    // `npx caracal-triage -- --env-file F …`: the `--` keeps npx's own Node 20 from taking
    // `--env-file` (it reads that flag anywhere on its command line and exits 9), and npx passes
    // the `--` on; it separates launcher options from ours, so one leading `--` is dropped.
    await program.parseAsync(argv[0] === '--' ? argv.slice(1) : argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed by commander
      return e.exitCode === 0 ? 0 : EXIT_CANNOT_RUN;
    }
    if (e instanceof UsageError || e instanceof ConfigError) {
      io.stderr.write(errorLines(e.message));
      return EXIT_CANNOT_RUN;
    }
    io.stderr.write(errorLines(`could not run: ${e instanceof Error ? e.message : String(e)}`));
    return EXIT_CANNOT_RUN;
  }
}
