/**
 * Progress on stderr while a cold build downloads and writes (what npm and docker users expect
 * instead of 10–20 s of silence). On a terminal: one status line — packages and bytes fetched,
 * the rate, and what else is under way (an index being fetched, a package being extracted, a
 * layer being compressed) — redrawn at most ten times a second and cleared before anything else
 * is printed, an error included. Elsewhere (CI logs, pipes): one plain line per finished step,
 * with no carriage return and no escape sequence. Silent with --quiet or --json. TERM=dumb counts
 * as not a terminal. No colour is used, so NO_COLOR has nothing to turn off.
 */
import type { BaseEvent } from '../assemble/index.ts';
import type { ArchiveEvent, DownloadEvent, ExtractEvent } from '../debian/index.ts';
import type { NodeRuntimeEvent } from '../npm/index.ts';
import { stripControls } from '../platform/index.ts';

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
  /** A package's data.tar being decompressed, then done. */
  extract(e: ExtractEvent): void;
  /** A layer not in the cache being written (compressed), then done. */
  layerWrite(e: Extract<BaseEvent, { type: 'layer-write' }>): void;
  /** A Packages index being fetched, then fetched. */
  index(e: ArchiveEvent): void;
  /** The Node.js runtime's tarball arriving from the npm registry. */
  node(e: NodeRuntimeEvent): void;
  /** A line that is not progress (a warning, a step of the report): printed even with --quiet. */
  print(line: string): void;
  /** Clears the status line; call before printing the result (and on failure). */
  end(): void;
}

export interface ProgressOptions {
  /** False for --quiet and --json. */
  enabled: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => number;
}

const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
// Labels come from indexes, URLs and servers: no escape sequence or line break reaches the terminal.
const clean = (s: string) => stripControls(s).replace(/[\t\n]/g, ' ');

/** The renderer for `stream` (process.stderr in the CLI). */
export function createProgress(stream: ProgressStream, o: ProgressOptions): Progress {
  if (!o.enabled) {
    const none = () => {};
    return {
      download: none,
      layer: none,
      step: none,
      extract: none,
      layerWrite: none,
      index: none,
      node: none,
      print: (l) => stream.write(`${clean(l)}\n`),
      end: none,
    };
  }
  const now = o.now ?? Date.now;
  const tty = Boolean(stream.isTTY) && (o.env?.TERM ?? 'xterm') !== 'dumb';
  // Each download batch (a layer's packages) is a phase with its own totals and rate.
  let phaseStart: number | undefined;
  let status = '';
  let drawnAt = 0;
  let shown = false;
  let fetched = 0;
  // What else is under way, newest last: the status line names the newest.
  const doing = new Map<string, string>();
  const shownStatus = () => [status, [...doing.values()].at(-1)].filter(Boolean).join(' · ');
  const draw = (force = false) => {
    if (!tty) return;
    const text = clean(shownStatus());
    if (!text) {
      clear();
      return;
    }
    const t = now();
    if (!force && t - drawnAt < 100) return;
    drawnAt = t;
    const width = Math.max(20, (stream.columns && stream.columns > 0 ? stream.columns : 80) - 1);
    stream.write(`\r\u001b[K${text.slice(0, width)}`);
    shown = true;
  };
  const clear = () => {
    if (tty && shown) stream.write('\r\u001b[K');
    shown = false;
  };
  const line = (s: string) => {
    clear();
    stream.write(`${clean(s)}\n`);
    draw(true);
  };
  const begin = (key: string, what: string, force: boolean) => {
    doing.set(key, what);
    draw(force);
  };
  const finish = (key: string) => {
    if (doing.delete(key)) draw(true);
  };
  const indexes: { key: string; mirror: string; suite: string; size: number; label: string }[] = [];
  // Each tarball's first report: its rate counts from there (the first chunk's time is unknown).
  const tarballs = new Map<string, { t: number; received: number }>();
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
          if (!tty) stream.write(`  fetched ${clean(e.package)} (${e.packagesDone}/${e.packagesTotal})\n`);
        }
        if (e.packagesDone === e.packagesTotal) {
          const secs = (now() - phaseStart) / 1000;
          status = '';
          if (fetched > 0)
            line(
              `  downloaded ${fetched} package${fetched === 1 ? '' : 's'}, ${MB(e.bytesDone)} in ${secs.toFixed(1)} s`,
            );
          else draw(true);
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
    extract(e) {
      const key = `extract ${e.package}`;
      if (e.type === 'extract-start') return begin(key, `extracting ${e.package}`, false);
      finish(key);
      if (!tty) stream.write(`  extracted ${clean(e.package)} (${e.entries} entries)\n`);
    },
    layerWrite(e) {
      const key = `layer ${e.image} ${e.arch} ${e.kind}`;
      const w = e.event;
      if (w.type === 'write-start')
        return begin(key, `writing ${e.kind} layer (${e.image} ${e.arch}): ${MB(w.bytes)} of files…`, true);
      // Its size is in the `layer` line that follows.
      finish(key);
    },
    index(e) {
      if (e.type === 'index-fetching') {
        const key = `index ${e.mirror} ${e.suite} ${e.path}`;
        const label = `${e.suite} ${e.path}`;
        // The .gz after a missing .xz: the .xz attempt is over.
        const stem = e.path.replace(/\.(xz|gz)$/, '');
        for (const x of indexes.filter(
          (x) => x.key.replace(/\.(xz|gz)$/, '') === `index ${e.mirror} ${e.suite} ${stem}`,
        )) {
          indexes.splice(indexes.indexOf(x), 1);
          doing.delete(x.key);
        }
        indexes.push({ key, mirror: e.mirror, suite: e.suite, size: e.size, label });
        return begin(key, `fetching ${label} (${MB(e.size)})…`, true);
      }
      if (e.type !== 'index-fetched') return;
      // Its URL may be a by-hash one: found by suite, and by the size the signed Release gave.
      const same = (x: (typeof indexes)[number]) => x.mirror === e.mirror && x.suite === e.suite;
      let i = indexes.findIndex((x) => same(x) && x.size === e.bytes);
      if (i < 0) i = indexes.findIndex(same);
      const [x] = i < 0 ? [] : indexes.splice(i, 1);
      if (!x) return;
      finish(x.key);
      if (!tty) stream.write(`  fetched ${clean(x.label)} (${MB(e.bytes)})\n`);
    },
    node(e) {
      if (e.type !== 'tarball-bytes' && e.type !== 'tarball-fetched') return;
      const name = e.url.slice(e.url.lastIndexOf('/') + 1);
      const key = `npm ${e.url}`;
      const first = tarballs.get(key) ?? { t: now(), received: e.type === 'tarball-bytes' ? e.received : 0 };
      tarballs.set(key, first);
      const secs = (now() - first.t) / 1000;
      if (e.type === 'tarball-bytes') {
        const rate = secs >= 0.3 ? `, ${MB((e.received - first.received) / secs)}/s` : '';
        return begin(
          key,
          `downloading ${name}: ${MB(e.received)}${e.total ? ` of ${MB(e.total)}` : ''}${rate}`,
          false,
        );
      }
      doing.delete(key);
      line(
        tty
          ? `  downloaded ${name}, ${MB(e.bytes)} in ${secs.toFixed(1)} s`
          : `  fetched ${name} (${MB(e.bytes)})`,
      );
    },
    print: line,
    end() {
      status = '';
      doing.clear();
      clear();
    },
  };
}

/** What a catalogue build reports (assemble's CatalogueEvent): its base's events, Node.js's, warnings. */
export type CatalogueProgressEvent =
  | BaseEvent
  | { type: 'node'; event: NodeRuntimeEvent }
  | { type: 'warning'; message: string };

/** Routes a catalogue build's events to `p` (what `distill base` and a build's catalogue base show). */
export function catalogueProgress(p: Progress): (e: CatalogueProgressEvent) => void {
  return (e) => {
    if (e.type === 'download') p.download(e.event);
    else if (e.type === 'extract') p.extract(e.event);
    else if (e.type === 'layer-write') p.layerWrite(e);
    else if (e.type === 'layer') p.layer(e);
    else if (e.type === 'warning') p.print(`warning: ${e.message}`);
    else if (e.event.type === 'warning') p.print(`warning: ${e.event.message}`);
    else p.node(e.event);
  };
}

/** Runs `fn`, then clears the status line however `fn` ended, so an error gets a line of its own. */
export async function showing<T>(p: Progress, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    p.end();
  }
}
