#!/usr/bin/env -S node --
'use strict';
// `node --` ends Node's own options: Node 20 otherwise takes a `--env-file` anywhere on the
// command line as its own flag (and exits 9 on a missing file) before this script runs.
// Entry point of the `caracal-triage` binary; the compiled CLI lives in dist/ (built by `npm install` via `prepare`).
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
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    // Exit once stdout is flushed: idle keep-alive sockets to Caracal must not hold the
    // terminal for seconds, and a piped --json report must not be cut short.
    process.exitCode = code;
    process.stdout.write('', () => process.exit(code));
  },
  (e) => {
    process.stderr.write(`caracal-triage: ${e && e.message ? e.message : e}\n`);
    process.exitCode = 2;
  },
);
