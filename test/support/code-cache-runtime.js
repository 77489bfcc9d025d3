// Jest's module runtime (jest-runtime) with V8's code cache kept for the life of a jest worker.
//
// Jest gives every test file a fresh module registry and compiles each module it loads again,
// for every file, through vm.compileFunction, which V8 does not cache (jestjs/jest#9457,
// nodejs/node#35375). A worker here loads the same thousand-odd modules (zod, bullmq, bolt,
// botbuilder, the bot's own) in file after file: over test/{adapters,triage,chat,act,queue},
// 60,933 compiles took 13.7 s, and 5.0 s with this cache. Only the compiled form is shared:
// every file still runs every module afresh in its own context, so no module state crosses
// files. The first compile of a module in a worker asks V8 for its code cache; a later compile
// of the same file with the same source hands it back. V8 checks that the cache fits its
// flags and the source's length, not the text: the text is compared here.
//
// Hand-written because jest has no option for it and no maintained package does it. It wraps
// the function jest-runtime calls (`require('vm').compileFunction`, looked up at each call);
// should a jest upgrade stop calling it, the suite is only slower, never wrong, and
// test/support/code-cache-runtime.test.ts fails by name.
const vm = require('node:vm');

const compileFunction = vm.compileFunction;
/** filename → the transformed source it was compiled from, and V8's cache of that compile. */
const compiled = new Map();
const stats = { compiles: 0, fromCache: 0 };

vm.compileFunction = function compileFunctionWithCodeCache(code, params, options) {
  stats.compiles++;
  const filename = options?.filename;
  if (!filename || options.cachedData || options.produceCachedData) return compileFunction.call(vm, code, params, options);
  const seen = compiled.get(filename);
  if (seen && seen.code === code) {
    const fn = compileFunction.call(vm, code, params, { ...options, cachedData: seen.cachedData });
    if (!fn.cachedDataRejected) {
      stats.fromCache++;
      return fn;
    }
  }
  const fn = compileFunction.call(vm, code, params, { ...options, produceCachedData: true });
  if (fn.cachedDataProduced) compiled.set(filename, { code, cachedData: fn.cachedData });
  return fn;
};

// How many compiles the cache answered in this worker (a test file shares the core `vm` module).
vm.compileFunction.stats = stats;

module.exports = require('jest-runtime');
