/**
 * Problems on stderr: every line begins with `caracal-triage:`, so a script or log scraper can
 * tell the bot's complaints from anything else, and no line carries a terminal control character
 * (bad input is echoed, and input can hold escape sequences). Over-long quoted input is cut.
 */
const PREFIX = 'caracal-triage: ';
// C0 controls except tab, DEL, and C1 controls.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const QUOTED = /(["'])([^"'\n]{81,})\1/g;

export function errorLines(text: string): string {
  return (
    text
      .replace(/\n+$/, '')
      .split('\n')
      .map((line) => line.replace(CONTROL, '?').replace(QUOTED, (_m, q: string, inner: string) => `${q}${inner.slice(0, 77)}…${q}`))
      .map((line) => (line.startsWith(PREFIX) ? line : PREFIX + line))
      .join('\n') + '\n'
  );
}
