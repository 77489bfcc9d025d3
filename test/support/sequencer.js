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
  'test/deploy/dockerfile.test.ts': 20,
  'test/watch/election.test.ts': 12,
  'test/adapters/slack/storm.test.ts': 20,
  'test/act/fix-slack.test.ts': 12,
  'test/queue/write-outage.test.ts': 12,
  'test/triage/session.test.ts': 12,
  'test/mcp/tools-equal-cli.test.ts': 11,
  'test/adapters/slack/exactly-once.test.ts': 11,
  'test/app/lifecycle.test.ts': 10,
  'test/queue/failover.test.ts': 9,
  'test/adapters/slack/followup.test.ts': 9,
  'test/adapters/teams/worker-kill.test.ts': 7,
  'test/act/fix-kill.test.ts': 7,
  'test/deploy/chart-render.test.ts': 7,
  'test/act/approval-slack.test.ts': 7,
  'test/adapters/teams/left-behind-card.test.ts': 7,
  'test/watch/watcher.test.ts': 7,
  'test/adapters/teams/followup.test.ts': 7,
  'test/caracal/budget.test.ts': 6,
  'test/cli/binary-triage.test.ts': 6,
  'test/adapters/slack/thread.test.ts': 6,
  'test/followup/pagerduty.test.ts': 6,
  'test/posting/thread-pump.test.ts': 6,
  'test/adapters/slack/e2e.test.ts': 6,
  'test/queue/rate-limit.test.ts': 6,
  'test/app/redis-outage.test.ts': 5,
  'test/cli/binary-deployments.test.ts': 5,
  'test/caracal/shared-cache.test.ts': 5,
  'test/app/redis-writes.test.ts': 5,
  'test/cli/binary-contracts.test.ts': 5,
  'test/watch/deployments.test.ts': 5,
  'test/triage/bundle/bundle.test.ts': 5,
  'test/deploy/chart-secrets.test.ts': 5,
  'test/mcp/stored-triages.test.ts': 5,
  'test/queue/two-workers.test.ts': 5,
  'test/queue/worker-kill.test.ts': 5,
  'test/incidents/alertmanager-live.test.ts': 5,
  'test/server/edge.test.ts': 5,
  'test/deploy/alerts.test.ts': 5,
  'test/cli/setup.test.ts': 4,
  'test/triage/consistency.test.ts': 4,
  'test/deploy/chart-routes.test.ts': 4,
  'test/store/caracal-budget.test.ts': 4,
  'test/queue/run-worker.test.ts': 4,
  'test/caracal/client-failures.test.ts': 4,
  'test/deploy/chart-operations.test.ts': 4,
  'test/incidents/order.test.ts': 4,
  'test/report/runbooks.test.ts': 4,
  'test/adapters/teams/e2e.test.ts': 4,
  'test/queue/card-redraw.test.ts': 4,
  'test/app/redis-tls.test.ts': 4,
  'test/cli/binary-watch.test.ts': 4,
  'test/caracal/budget-deployments.test.ts': 4,
  'test/cli/triage.test.ts': 3,
  'test/incidents/hooks-e2e.test.ts': 3,
  'test/act/approval-teams.test.ts': 3,
  'test/act/fix-teams.test.ts': 3,
};

class SlowFirst extends Sequencer {
  sort(tests) {
    const weight = new Map(tests.map((t) => [t, this.time(t) ?? (SLOW[relative(t.context.config.rootDir, t.path).split('\\').join('/')] ?? 0) * 1000]));
    const size = (t) => t.context.hasteFS.getSize(t.path) ?? 0;
    return [...tests].sort((a, b) => Number(this.hasFailed(b)) - Number(this.hasFailed(a)) || weight.get(b) - weight.get(a) || size(b) - size(a));
  }
}

module.exports = SlowFirst;
