#!/usr/bin/env -S node --
'use strict';
// `node --` ends Node's own options: Node 20 otherwise takes a `--env-file` anywhere on the
// command line as its own flag (and exits 9 on a missing file) before this script runs.
// Entry point of the `caracal-triage` binary; the compiled CLI lives in dist/ (built by `npm install` via `prepare`).
// Node 22.1+ keeps the compiled code of the modules it loads (under the OS temp directory, or
// NODE_COMPILE_CACHE): a terminal command then starts in about three quarters of the time. It never
// fails a run (an unwritable directory only leaves it off); Node 20 has no such cache.
require('node:module').enableCompileCache?.();
let main;
try {
  ({ main } = require('../dist/src/cli/main.js'));
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('caracal-triage: not built yet; run `npm install` (or `npm run build`) in the project first\n');
    process.exit(2);
  }
  throw e;
}

// Safety net: Node exits with code 0 when the event loop empties, even while main() still
// waits on something that can never settle now (an unref'd timer or socket was all it had).
// That must never read as success: say so on one line and exit 2.
let settled = false;
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  process.exitCode = 2;
  process.stderr.write(
    'caracal-triage: the command ended with its work unfinished (nothing was left to wait on, yet it had not finished); this is a bug, please report it\n',
    () => process.exit(2),
  );
});

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    settled = true;
    // Exit once stdout is flushed: idle keep-alive sockets to Caracal must not hold the
    // terminal for seconds, and a piped --json report must not be cut short.
    process.exitCode = code;
    process.stdout.write('', () => process.exit(code));
  },
  (e) => {
    // main() never rejects by contract; if it does, the message may quote outside text.
    settled = true;
    const { outsideText } = require('../dist/src/render/outside-text.js');
    process.stderr.write(`caracal-triage: ${outsideText(e && e.message ? e.message : e)}\n`);
    process.exitCode = 2;
  },
);
