/**
 * The suite's module runtime (test/support/code-cache-runtime.js): jest compiles the modules of
 * this very file through it, later compiles of a module come from V8's code cache, and a module
 * whose source changed is compiled from that source, never served from the old one's cache.
 */
import * as vm from 'node:vm';
import { z } from 'zod';

interface CacheStats {
  compiles: number;
  fromCache: number;
}
type CachingCompile = typeof vm.compileFunction & { stats?: CacheStats };

const compile = vm.compileFunction as CachingCompile;
// zod, compiled for this file as it loaded.
const word = z.string();

test('jest compiles through the caching runtime (a jest upgrade that stops calling vm.compileFunction fails here)', () => {
  expect(compile.name).toBe('compileFunctionWithCodeCache');
  const before = { ...compile.stats! };
  jest.isolateModules(() => {
    // A fresh registry, as every test file gets: zod, already compiled for this file's import,
    // is compiled again, from the cache.
    const fresh = (require('zod') as { z: typeof z }).z.string();
    expect(fresh.constructor).not.toBe(word.constructor);
    expect(fresh.parse('compiled')).toBe(word.parse('compiled'));
  });
  expect(compile.stats!.compiles).toBeGreaterThan(before.compiles);
  expect(compile.stats!.fromCache - before.fromCache).toBe(compile.stats!.compiles - before.compiles);
});

test('a second compile of the same source comes from the cache and behaves the same', () => {
  const filename = `/virtual/same-source-${process.pid}.js`;
  const source = 'return [a + b, typeof module]';
  const first = compile(source, ['a', 'b'], { filename });
  const before = compile.stats!.fromCache;
  const second = compile(source, ['a', 'b'], { filename });
  expect(compile.stats!.fromCache).toBe(before + 1);
  expect(second(2, 3)).toEqual(first(2, 3));
  expect(second(2, 3)).toEqual([5, 'undefined']);
});

test('a changed source under the same file name (and the same length) is compiled from the new text', () => {
  const filename = `/virtual/changed-source-${process.pid}.js`;
  expect(compile('return "old"', [], { filename })()).toBe('old');
  expect(compile('return "new"', [], { filename })()).toBe('new');
});
