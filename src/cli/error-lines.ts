/**
 * Problems on stderr: every line begins with `caracal-triage:`, so a script or log scraper can
 * tell the bot's complaints from anything else; every line goes through the one rule for outside
 * text (src/render/outside-text.ts), since bad input is echoed and input can hold terminal
 * escape sequences; quoted input longer than ~80 characters is cut.
 */
import { clip, outsideText } from '../render/outside-text';

const PREFIX = 'caracal-triage: ';
const QUOTED = /(["'])([^"'\n]{81,})\1/g;

export function errorLines(text: string): string {
  return (
    outsideText(text.replace(/\n+$/, ''), { multiline: true })
      .split('\n')
      .map((line) => line.replace(QUOTED, (_m, q: string, inner: string) => `${q}${clip(inner, 78)}${q}`))
      .map((line) => (line.startsWith(PREFIX) ? line : PREFIX + line))
      .join('\n') + '\n'
  );
}
