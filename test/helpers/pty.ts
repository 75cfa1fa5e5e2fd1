/**
 * An interactive program on a real terminal: script(1) gives it a pty, the test types into script's
 * stdin and reads what the terminal shows from its stdout, waiting for text before typing more.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface PtySession {
  /** Everything the terminal got so far. */
  readonly output: () => string;
  /** Resolves once the output after `from` (default: all of it) matches `re`; rejects after `ms`. */
  waitFor(re: RegExp, ms?: number, from?: number): Promise<string>;
  /** Types `text` (add '\n' to press Enter). */
  type(text: string): void;
  /** Resolves to the exit status script(1) passes on (-e: the program's). */
  exited: Promise<number | null>;
  child: ChildProcessWithoutNullStreams;
}

/** Starts `argv` on a pty (TERM=xterm), with `env` added to this process's environment. */
export function onPty(argv: readonly string[], env: Record<string, string> = {}): PtySession {
  const child = spawn('script', ['-qefc', argv.map(quote).join(' '), '/dev/null'], {
    env: { ...process.env, TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString('utf8');
    for (const w of waiters) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    type: (text) => child.stdin.write(text),
    waitFor(re, ms = 60_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out.slice(from));
          if (!m) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m[0]);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${re} on the terminal; it shows:\n${out}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
}
