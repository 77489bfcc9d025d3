// Jest global setup: when REDIS_URL is not given (e.g. `npm test` on a laptop), start a
// throwaway redis-server on a free loopback port for the whole run. `.ci/run` starts its own
// and passes REDIS_URL. Either way each jest worker uses its own database on it (worker-redis.js).
const { spawn } = require('node:child_process');
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.end(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

module.exports = async function globalSetup() {
  if (process.env.REDIS_URL) return;
  const port = await freePort();
  let child;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  } catch (e) {
    throw new Error('Tests need redis-server on PATH (Debian: apt-get install -y redis-server) or REDIS_URL set.');
  }
  child.once('error', () => {
    console.error('Tests need redis-server on PATH (Debian: apt-get install -y redis-server) or REDIS_URL set.');
  });
  await waitForPort(port);
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  globalThis.__CARACAL_TRIAGE_REDIS__ = child;
};
