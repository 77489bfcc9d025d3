/** What the Slack listeners need; built once per ingress. */
import type { Logger } from 'pino';
import type { CommandFlow } from '../../../src/ingress/flow';
import type { IngressMetrics } from '../../../src/ingress/metrics';
import type { SlackAuthorizer } from '../authz';
import type { SlackIdentityResolver } from '../identity';

export interface SlackHandlerDeps {
  /** The one command flow: parse → authorize → start or act → outcome. */
  flow: CommandFlow;
  authz: SlackAuthorizer;
  identity: SlackIdentityResolver;
  metrics: IngressMetrics;
  logger: Logger;
  incidentChannelPattern: RegExp;
  /** SLACK_FILE_UPLOADS: the export goes into the thread as a file (else as a link to it). */
  fileUploads: boolean;
}

export function slackActor(id: string, name?: string | null): { kind: 'user'; id: string; name?: string } {
  return name ? { kind: 'user', id, name } : { kind: 'user', id };
}
