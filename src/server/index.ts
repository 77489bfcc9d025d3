export { createWebServer, type WebServer, type WebServerOptions } from './web-server';
export { startWeb, type RunningWeb, type StartWebDeps } from './start-web';
export { ingressMetrics, type IngressMetrics } from './metrics';
export { runReadiness, type ReadinessCheck, type ReadinessReport } from './readiness';
