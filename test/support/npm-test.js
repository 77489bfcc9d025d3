#!/usr/bin/env node
// `npm test`: brings dist/ up to date (`tsc -b tsconfig.build.json`: incremental, a no-op when it
// is fresh, and the binary tests need it), then runs jest and the type check of test/, bench/ and
// the Teams package script (`tsc -p tsconfig.test.json`, against the sources' declarations) side
// by side instead of one after the other. On a 2-core machine jest leaves part of a core idle
// (its files wait on Redis, child processes and fake services) and the type check fills it: on a
// fresh clone the whole run took about 9 s less. Both always run to the end. jest's output streams
// as it comes; the type check's is held and printed after it, so the two never interleave. The
// exit code is jest's, or the type check's when jest passed. Arguments go to jest.
//
// Hand-written rather than `concurrently` or `npm-run-all`: two children and an exit code, and
// those print both outputs as they come, interleaved line by line.
const { spawn, spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const build = spawnSync(bin('tsc'), ['-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const typecheck = spawn(bin('tsc'), ['-p', 'tsconfig.test.json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
const held = [];
typecheck.stdout.on('data', (c) => held.push(c));
typecheck.stderr.on('data', (c) => held.push(c));
const typechecked = new Promise((resolve) => {
  typecheck.on('error', (e) => resolve({ code: 1, error: e }));
  typecheck.on('close', (code, signal) => resolve({ code: code ?? 1, signal }));
});

const jest = spawn(bin('jest'), process.argv.slice(2), { cwd: root, stdio: 'inherit' });
jest.on('close', async (jestCode) => {
  const types = await typechecked;
  const output = Buffer.concat(held).toString('utf8');
  if (types.code === 0) {
    process.stderr.write('Type check (tsc -p tsconfig.test.json): no errors.\n');
  } else {
    process.stderr.write(`\nType check (tsc -p tsconfig.test.json) failed${types.error ? `: ${types.error.message}` : ''}:\n${output}`);
  }
  const jestExit = jestCode ?? 1; // killed by a signal: a failure
  process.exit(jestExit !== 0 ? jestExit : types.code);
});
