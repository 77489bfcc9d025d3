/** Public surface of the durable-triage queues, for the CLI, the web process and adapters. */
export { createTriageService, openTriageService, type RedisTriageService, type TriageServiceOptions } from './triage-service';
export { startTriageWorkers, type TriageWorkerOptions, type TriageWorkers } from './workers';
export { createQueues, type TriageQueues } from './queues';
export { QUEUE_NAMES, POST_JOBS, COLLECT_JOBS, jobIds } from './jobs';
export { triageMetrics, type TriageMetrics } from './metrics';
export { DEFAULT_LIMITS, type PlatformLimits } from './limiter';
export type { ChatPorts } from './ports';
