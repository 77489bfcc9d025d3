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
  'test/queue/write-outage.test.ts': 38,
  'test/adapters/slack/storm.test.ts': 36,
  'test/cli/binary-triage.test.ts': 26,
  'test/cli/binary-deployments.test.ts': 22,
  'test/deploy/dockerfile.test.ts': 20,
  'test/caracal/budget-deployments.test.ts': 9,
  'test/adapters/slack/exactly-once.test.ts': 18,
  'test/cli/binary-changes.test.ts': 17,
  'test/mcp/tools-equal-cli.test.ts': 16,
  'test/cli/binary-contracts.test.ts': 16,
  'test/posting/thread-pump.test.ts': 15,
  'test/act/fix-slack.test.ts': 15,
  'test/app/lifecycle.test.ts': 14,
  'test/triage/session.test.ts': 13,
  'test/mcp/stored-triages.test.ts': 13,
  'test/adapters/slack/followup.test.ts': 12,
  'test/watch/election.test.ts': 12,
  'test/queue/failover.test.ts': 11,
  'test/cli/setup.test.ts': 10,
  'test/adapters/teams/followup.test.ts': 10,
  'test/adapters/teams/worker-kill.test.ts': 10,
  'test/server/edge.test.ts': 10,
  'test/cli/binary-find.test.ts': 10,
  'test/app/redis-outage.test.ts': 8,
  'test/queue/rate-limit.test.ts': 8,
  'test/app/redis-writes.test.ts': 8,
  'test/cli/binary-watch.test.ts': 8,
  'test/act/approval-slack.test.ts': 8,
  'test/act/fix-kill.test.ts': 8,
  'test/followup/pagerduty.test.ts': 8,
  'test/triage/consistency.test.ts': 8,
  'test/queue/redis-restart.test.ts': 8,
  'test/adapters/slack/thread.test.ts': 7,
  'test/watch/watcher.test.ts': 7,
  'test/caracal/shared-cache.test.ts': 7,
  'test/caracal/budget.test.ts': 7,
  'test/incidents/order.test.ts': 6,
  'test/adapters/slack/e2e.test.ts': 6,
  'test/adapters/slack/socket-mode.test.ts': 6,
  'test/triage/bundle/bundle.test.ts': 6,
  'test/adapters/teams/left-behind-card.test.ts': 6,
  'test/queue/run-worker.test.ts': 6,
  'test/adapters/teams/render.test.ts': 6,
};

class SlowFirst extends Sequencer {
  sort(tests) {
    const weight = new Map(tests.map((t) => [t, this.time(t) ?? (SLOW[relative(t.context.config.rootDir, t.path).split('\\').join('/')] ?? 0) * 1000]));
    const size = (t) => t.context.hasteFS.getSize(t.path) ?? 0;
    return [...tests].sort((a, b) => Number(this.hasFailed(b)) - Number(this.hasFailed(a)) || weight.get(b) - weight.get(a) || size(b) - size(a));
  }
}

module.exports = SlowFirst;
