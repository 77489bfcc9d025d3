/** Small builders the Teams renderers share: text blocks, icons, signed buttons, the CLI hint. */
import { type ButtonAction } from '../../../src/chat/render/card-actions';
import { signButton } from '../../../src/commands/button-token';
import type { TriageRecord, TriageState } from '../../../src/triage/record';
import type { BundleStatus, StepId, Symptom, Verdict } from '../../../src/triage/model';
import { clip } from '../../../src/render/fit';
import { type CardAction, LIMITS, type TextBlockElement } from './card-schema';

export const VERDICT_ICON: Record<Verdict, string> = { pass: '✅', fail: '❌', unknown: '❔', manual: '🙋', skipped: '⏩' };
export const PENDING_ICON = '⏳';
export const NOT_CHECKED_ICON = '⚪';
export const BUNDLE_STATUS_ICON: Record<BundleStatus, string> = { ok: '✅', warn: '⚠️', fail: '❌', unavailable: '❔' };
export const STATE_ICON: Record<TriageState, string> = {
  locating: '🔍',
  routed: '🧭',
  walking: '👣',
  resolved: '✅',
  escalated: '⏫',
  abandoned: '💤',
  failed: '⚠️',
};

export function text(t: string, extra: Omit<TextBlockElement, 'type' | 'text'> = {}): TextBlockElement {
  return { type: 'TextBlock', text: t, wrap: true, ...extra };
}

export interface ButtonOptions {
  signingKey: string;
  now: Date;
  buttonTtlSeconds: number;
}

/** Universal Action verb for a button: `caracal.<action>`. */
export const VERB_PREFIX = 'caracal.';

/**
 * One button: Action.Execute (answered through the `adaptiveCard/action` invoke with the new
 * card) with an Action.Submit fallback for clients without Universal Actions. Both carry the
 * same signed, versioned token as the Slack button value.
 */
export function button(
  r: TriageRecord,
  opts: ButtonOptions,
  action: ButtonAction,
  title: string,
  extra: { step?: StepId; symptom?: Symptom } = {},
): CardAction {
  const value = signButton(
    { triageId: r.id, action, version: r.version, expiresAt: Math.floor(opts.now.getTime() / 1000) + opts.buttonTtlSeconds, ...extra },
    opts.signingKey,
  );
  const data = { caracal: 'button' as const, value };
  const style = action === 'resolve' ? ('positive' as const) : action === 'escalate' ? ('destructive' as const) : undefined;
  const shown = clip(title, LIMITS.title);
  return {
    type: 'Action.Execute',
    title: shown,
    verb: `${VERB_PREFIX}${action}`,
    data,
    ...(style ? { style } : {}),
    fallback: { type: 'Action.Submit', title: shown, data, ...(style ? { style } : {}) },
  };
}

/** Shell-safe: IDs are printable ASCII, but `;`, `$` or quotes must not run anything when pasted. */
function shellArg(s: string): string {
  return /^[A-Za-z0-9_.:\-/@]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The CLI command that prints all of a triage's evidence. */
export function cliCommand(r: TriageRecord): string {
  const zone = r.zoneId ?? r.input.zoneId;
  const id = r.input.requestId ? ` ${shellArg(r.input.requestId)}` : '';
  return `caracal-triage triage${id}${zone ? ` --zone ${shellArg(zone)}` : ''} --verbose`;
}

export function bundleCliCommand(r: TriageRecord): string {
  const zone = r.zoneId ?? r.input.zoneId;
  return `caracal-triage bundle${zone ? ` --zone ${shellArg(zone)}` : ''} --verbose`;
}
