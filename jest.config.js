/**
 * Tests run through @swc/jest (transform only); `npm test` type-checks first (tsc, which also
 * builds dist/ for the binary tests).
 *
 * Four workers on the 2-core CI machine: jest's default there is one (cores − 1), and many files
 * spend much of their time waiting (on a rate-limited fake Slack, a Redis restart, a child
 * process), so files overlap well. Measured on the whole suite from a fresh clone, idle machine:
 * three workers about 175 s, four 151 s. Four once failed timing-sensitive tests on a slow CI
 * host; those now build their state instead of racing for it (the write outage) or bound what
 * contention cannot move (the watcher's takeover is its lease, the storm's 429s a handful).
 * Each worker has its own Redis database (test/support/worker-redis.js), and the longest files
 * start first (test/support/sequencer.js).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  setupFiles: ['<rootDir>/test/support/worker-redis.js'],
  testSequencer: '<rootDir>/test/support/sequencer.js',
  maxWorkers: 4,
  // Modules compiled once per worker, not once per file: test/support/code-cache-runtime.js.
  runtime: '<rootDir>/test/support/code-cache-runtime.js',
  // Lazy `import('./x.js')` in src resolves to the .ts source under jest.
  // zod's translations (`z.locales`), unused by the bot, are not loaded: test/support/zod-locales.js.
  moduleNameMapper: { '^\\.\\./locales/index\\.cjs$': '<rootDir>/test/support/zod-locales.js', '^(\\.{1,2}/.*)\\.js$': '$1' },
  // A guard against a hung test, not a speed check: a file that starts the binary three times in
  // one test can need half a minute on a 2-core machine shared with other builds.
  testTimeout: 60000,
};
