// What jest loads for zod's `locales` namespace (jest.config.js maps zod's own require of
// `../locales/index.cjs` here). zod's index loads its ~70 translations on every import to offer
// `z.locales`; the bot never uses one (its messages are zod's English, loaded by zod's schemas
// directly, and test/architecture.test.ts fails if shipped code names `locales`), and loading
// them again in each of ~190 test files cost about 60 ms of CPU each, some 11 s per run.
module.exports = {};
