// Jest's test order: the files that take longest start first, so the run does not end with one
// worker still waiting out a slow file while the others sit idle. Jest orders by the durations
// it cached on an earlier run; a fresh clone has none and jest would then order by file size,
// which puts short files that wait a long time (a rate-limited storm, a replayed image build)
// last. SLOW gives those files' usual durations (seconds, measured on the 2-core CI machine)
// for that first run; after it, jest's own timings decide. A stale or missing entry only makes
// a run slower, never wrong. Files that failed last time still go first, as in jest.
const { default: Sequencer } = require('@jest/test-sequencer');
const { relative } = require('node:path');

const SLOW = {
  'test/adapters/slack/storm.test.ts': 35,
  'test/deploy/dockerfile.test.ts': 30,
  'test/mcp/tools-equal-cli.test.ts': 30,
  'test/cli/binary-changes.test.ts': 15,
  'test/cli/binary-find.test.ts': 10,
  'test/page/page.test.ts': 8,
  'test/queue/two-workers.test.ts': 20,
  'test/app/lifecycle.test.ts': 15,
  'test/cli/binary-triage.test.ts': 15,
  'test/posting/thread-pump.test.ts': 15,
  'test/adapters/slack/exactly-once.test.ts': 14,
  'test/adapters/teams/worker-kill.test.ts': 12,
  'test/cli/binary-contracts.test.ts': 12,
  'test/server/edge.test.ts': 11,
  'test/cli/setup.test.ts': 10,
  'test/adapters/teams/incidents.test.ts': 9,
  'test/cli/processes.test.ts': 9,
  'test/adapters/slack/thread.test.ts': 8,
  'test/queue/worker-kill.test.ts': 8,
  'test/caracal/shared-cache.test.ts': 8,
  'test/triage/api-only.test.ts': 8,
  'test/deploy/alerts.test.ts': 7,
  'test/queue/rate-limit.test.ts': 7,
  'test/app/redis-outage.test.ts': 7,
  'test/queue/redis-restart.test.ts': 6,
  'test/incidents/alertmanager-e2e.test.ts': 6,
  'test/deploy/chart-render.test.ts': 6,
  'test/adapters/slack/e2e.test.ts': 6,
  'test/adapters/slack/socket-mode.test.ts': 6,
};

class SlowFirst extends Sequencer {
  sort(tests) {
    const weight = new Map(tests.map((t) => [t, this.time(t) ?? (SLOW[relative(t.context.config.rootDir, t.path).split('\\').join('/')] ?? 0) * 1000]));
    const size = (t) => t.context.hasteFS.getSize(t.path) ?? 0;
    return [...tests].sort((a, b) => Number(this.hasFailed(b)) - Number(this.hasFailed(a)) || weight.get(b) - weight.get(a) || size(b) - size(a));
  }
}

module.exports = SlowFirst;
