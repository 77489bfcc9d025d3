/**
 * A one-line progress indicator on stderr while evidence is collected, shown only on a TTY so
 * pipes, CI logs and `--json` consumers never see it. Hand-written (a dozen lines) because the
 * maintained spinner packages are ESM-only and this project is CommonJS.
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  update(text: string): void;
  stop(): void;
}

export function startProgress(stream: NodeJS.WriteStream, text: string): Progress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  let label = text;
  let frame = 0;
  const started = Date.now();
  const draw = (): void => {
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label} (${secs}s)`);
  };
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  return {
    update(next: string) {
      label = next;
    },
    stop() {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
