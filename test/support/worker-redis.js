// Jest setup file (runs before every test file): each jest worker gets its own Redis database
// on the one redis-server of the run (the global setup's, or REDIS_URL's), numbered by its
// JEST_WORKER_ID. Files run in parallel across workers; those that share Redis state through
// fixed keys (a spawned `serve` or `start` uses the default `ct:` prefix) then never see each
// other's, exactly as when every file ran in one process, one after another. A database is a
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
}
