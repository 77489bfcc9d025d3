/**
 * Slack's request signature as an edge check (src/ingress/edge.ts): `X-Slack-Request-Timestamp`
 * within ±5 minutes of now, either direction (Bolt itself refuses only old ones), and
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">` keyed with the
 * signing secret, computed as the body streams in. Requests without both headers are refused
 * from the headers alone.
 */
import { createHmac } from 'node:crypto';
import { headerValue, refuse, signedBodyCheck, timestampProblem, type HeaderBag, type Precheck } from '../../../src/ingress/edge';

const SIGNATURE = /^v0=([0-9a-f]{64})$/;

export function slackPrecheck(signingSecret: string) {
  return (headers: HeaderBag, now: Date): Precheck => {
    const ts = headerValue(headers, 'x-slack-request-timestamp');
    const badTime = timestampProblem(ts, 'X-Slack-Request-Timestamp', now);
    if (badTime) return badTime;
    const sig = headerValue(headers, 'x-slack-signature');
    if (!sig) return refuse('missing_signature', 'X-Slack-Signature header is missing');
    const m = SIGNATURE.exec(sig.trim());
    if (!m) return refuse('malformed_signature', 'X-Slack-Signature is not "v0=<64 hex digits>"');
    const mac = createHmac('sha256', signingSecret).update(`v0:${ts!.trim()}:`, 'utf8');
    return { ok: true, body: signedBodyCheck([mac], [Buffer.from(m[1], 'hex')], refuse('bad_signature', 'X-Slack-Signature does not match the body signed with SLACK_SIGNING_SECRET')) };
  };
}
