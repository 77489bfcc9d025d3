// Jest setup file (runs before every test file): each jest worker gets its own Redis database
// on the one redis-server of the run (the global setup's, or REDIS_URL's), numbered by its
// JEST_WORKER_ID. Files run in parallel across workers; those that share Redis state through
// fixed keys (a spawned `serve` or `start` uses the default `ct:` prefix) then never see each
// other's. A database is a
// keyspace of its own for every command the bot and BullMQ send (their Lua scripts, blocking
// pops and streams included); tests that stop, restart or wipe Redis start their own server.
const base = process.env.REDIS_URL;
if (base) {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  // redis-server has 16 databases (0-15) unless configured otherwise; 0 is left to whoever else uses it.
  if (!Number.isInteger(worker) || worker < 1 || worker > 15) throw new Error(`JEST_WORKER_ID ${process.env.JEST_WORKER_ID}: at most 15 jest workers share one redis-server`);
  const url = new URL(base);
  url.pathname = `/${worker}`;
  process.env.REDIS_URL = url.toString();
  // Each file starts on an empty database, as if it ran alone: what an earlier file of this
  // worker left under the fixed `ct:` keys must not reach it. The Caracal call budget's window
  // did: a spawned `serve` that made a thousand calls held the next file's `serve` for a minute.
  // Synchronous (a setup file cannot wait), through redis-cli (redis-tools, beside redis-server).
  const flushed = require('node:child_process').spawnSync('redis-cli', ['-u', url.toString(), 'flushdb'], { encoding: 'utf8', timeout: 10_000 });
  if (flushed.status !== 0 || flushed.stdout.trim() !== 'OK') throw new Error(`could not empty ${url} before the file: ${flushed.error?.message ?? (flushed.stderr || flushed.stdout).trim()}`);
}
