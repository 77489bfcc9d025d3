/** Runs the CLI from source in a child process (`node --import tsx test/support/cli-entry.ts …`), as bin/caracal-triage.js runs it from dist. */
import { main } from '../../src/cli/main';

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
