/**
 * Progress on stderr while a cold build downloads and writes (what npm and docker users expect
 * instead of 10–20 s of silence). On a terminal: one status line — packages and bytes fetched,
 * the rate, the layer being written — redrawn at most ten times a second and cleared before
 * anything else is printed. Elsewhere (CI logs, pipes): one plain line per finished step, with
 * no carriage return and no escape sequence. Silent with --quiet or --json. TERM=dumb counts as
 * not a terminal.
 */
import type { BaseEvent } from '../assemble/base-image.ts';
import type { DownloadEvent } from '../debian/download.ts';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** A Debian download event (per package, with running totals). */
  download(e: DownloadEvent): void;
  /** A layer made (or taken from the cache). */
  layer(e: Extract<BaseEvent, { type: 'layer' }>): void;
  /** A named step starting (`resolving packages`, `writing layers`). */
  step(what: string): void;
  /** Clears the status line; call before printing the result. */
  end(): void;
}

export interface ProgressOptions {
  /** False for --quiet and --json. */
  enabled: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => number;
}

const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** The renderer for `stream` (process.stderr in the CLI). */
export function createProgress(stream: ProgressStream, o: ProgressOptions): Progress {
  if (!o.enabled) return { download() {}, layer() {}, step() {}, end() {} };
  const now = o.now ?? Date.now;
  const tty = Boolean(stream.isTTY) && (o.env?.TERM ?? 'xterm') !== 'dumb';
  // Each download batch (a layer's packages) is a phase with its own totals and rate.
  let phaseStart: number | undefined;
  let status = '';
  let drawnAt = 0;
  let shown = false;
  let fetched = 0;
  const draw = (force = false) => {
    if (!tty || !status) return;
    const t = now();
    if (!force && t - drawnAt < 100) return;
    drawnAt = t;
    const width = Math.max(20, (stream.columns && stream.columns > 0 ? stream.columns : 80) - 1);
    stream.write(`\r\u001b[K${status.slice(0, width)}`);
    shown = true;
  };
  const clear = () => {
    if (tty && shown) stream.write('\r\u001b[K');
    shown = false;
  };
  const line = (s: string) => {
    clear();
    stream.write(`${s}\n`);
    draw(true);
  };
  return {
    download(e) {
      phaseStart ??= now();
      if (e.type === 'bytes') {
        const secs = Math.max(0.001, (now() - phaseStart) / 1000);
        status = `downloading ${e.package}: ${MB(e.bytesDone)} of ${MB(e.bytesTotal)}, ${MB(e.bytesDone / secs)}/s`;
        draw();
      } else if (e.type === 'retry') {
        line(`  retrying ${e.package} (attempt ${e.attempt}): ${e.reason}`);
      } else if (e.type === 'done') {
        if (!e.cached) {
          fetched++;
          if (!tty) stream.write(`  fetched ${e.package} (${e.packagesDone}/${e.packagesTotal})\n`);
        }
        if (e.packagesDone === e.packagesTotal) {
          const secs = (now() - phaseStart) / 1000;
          status = '';
          if (fetched > 0)
            line(
              `  downloaded ${fetched} package${fetched === 1 ? '' : 's'}, ${MB(e.bytesDone)} in ${secs.toFixed(1)} s`,
            );
          else clear();
          fetched = 0;
          phaseStart = undefined;
        } else {
          status = `downloading: ${e.packagesDone}/${e.packagesTotal} packages, ${MB(e.bytesDone)} of ${MB(e.bytesTotal)}`;
          draw();
        }
      }
    },
    layer(e) {
      // Only work done is news: a warm build stays quiet.
      if (!e.cached) line(`  layer ${e.kind}${e.image ? ` (${e.image})` : ''}: ${MB(e.size)}`);
    },
    step(what) {
      if (tty) {
        clear();
        status = `${what}…`;
        draw(true);
      } else stream.write(`  ${what}\n`);
    },
    end: clear,
  };
}
