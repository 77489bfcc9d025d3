/**
 * Terminal styling: colour only when the stream is a TTY and NO_COLOR is unset
 * (https://no-color.org). Uses node:util styleText, so no colour library is needed.
 */
import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

export interface Styler {
  (format: Format, text: string): string;
  enabled: boolean;
}

export function createStyler(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Styler {
  const enabled = !!stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
  const style = ((format: Format, text: string) => (enabled ? styleText(format, text) : text)) as Styler;
  style.enabled = enabled;
  return style;
}
