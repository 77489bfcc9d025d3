/**
 * Slack over Socket Mode (SLACK_APP_TOKEN): no inbound route; the receiver opens a WebSocket
 * from `apps.connections.open` and acknowledges each envelope on it. The socket client gets the
 * same Web API options as every other client, so SLACK_API_URL (proxies, tests) applies to
 * `apps.connections.open` too. `pingTimeoutMs` (SlackConfig.socketPingTimeoutMs) paces pings and
 * reconnects; absent, the Slack client's default.
 */
import { type Logger as SlackLogger, SocketModeReceiver, type webApi } from '@slack/bolt';

export function socketTransport(appToken: string, logger: SlackLogger, clientOptions: webApi.WebClientOptions, pingTimeoutMs?: number): SocketModeReceiver {
  return new SocketModeReceiver({ appToken, logger, installerOptions: { clientOptions }, ...(pingTimeoutMs ? { clientPingTimeout: pingTimeoutMs } : {}) });
}
