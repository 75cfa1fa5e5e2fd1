/**
 * The distroless catalogue, debian13 amd64 (issue 4): every image's compressed and uncompressed
 * size next to the seed's published sizes and the goals; the same runtime installed by
 * `mmdebstrap --variant=minbase` (from the mirror distill's own discovery finds) as a tarball; cold
 * (each image from its own empty DISTILL_CACHE) and warm (median of BENCH_RUNS rebuilds) build
 * times of the CLI, warm also with --lock (no index or registry asked); each build's wall time and
 * peak RSS as /usr/bin/time gives them for the distill process (%e, %M: the bench's own spawning
 * is not counted); and the size with `--slim --compression zstd:12` (SMALL).
 * Needs the Debian archive and the npm registry.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { catalogue } from '../src/catalogue/index.ts';
import { discoverMirrors } from '../src/debian/archive/mirror.ts';
import { runAsync } from '../test/helpers/docker.ts';
import { median } from './tree.ts';

const BIN = fileURLToPath(new URL('../../bin/distill.js', import.meta.url));
const WARM_RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NAMES = catalogue(13).map((s) => s.name);
/** The seed's table (shared/seed.md): published distroless sizes. */
const SEED: Record<string, string> = {
  static: '1.9 MB',
  python3: '45–55 MB',
  nodejs20: '28 MB',
  java21: '(java17) 45–50 MB',
  java25: '(java17) 45–50 MB',
};
/** The issue's goals, compressed MB. */
const GOAL_MB: Record<string, number> = { static: 2.0, python3: 30, nodejs22: 46, java21: 60 };
const GOAL_WARM_S = 0.3;
/** The smallest build the CLI offers without leaving out anything a program reads by default. */
const SMALL = ['--slim', '--compression', 'zstd:12'];
const GOAL_RSS_KB = 512 * 1024;

interface Run {
  ms: number;
  rssKb: number;
  json: {
    digest: string;
    runtimeVersion?: string;
    platforms: Array<{ layers: Array<{ size: number; uncompressedSize: number; cached: boolean }> }>;
  };
}

/** One `distill base NAME --output DIR --json [ARGS]` under /usr/bin/time; wall time and peak RSS. */
async function build(name: string, out: string, cache: string, args: string[] = []): Promise<Run> {
  const r = await runAsync(
    '/usr/bin/time',
    [
      '-f',
      'peak-rss-kb=%M wall-s=%e',
      process.execPath,
      BIN,
      'base',
      name,
      '--output',
      out,
      '--json',
      ...args,
    ],
    { DISTILL_CACHE: cache },
  );
  const m = /peak-rss-kb=(\d+) wall-s=([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`distill base ${name} exited ${r.status}:\n${r.stderr}`);
  return { ms: Number(m[2]) * 1000, rssKb: Number(m[1]), json: JSON.parse(r.stdout) };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pad = (x: string, n: number) => x.padEnd(n);

/** Bytes of `file` gzip-compressed (default level), streamed. */
async function gzipSize(file: string): Promise<number> {
  let n = 0;
  await pipeline(createReadStream(file), createGzip(), async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) n += c.length;
  });
  return n;
}

const work = await mkdtemp(join(tmpdir(), 'distill-bench-base-'));
try {
  console.log(
    `base-images: debian13 amd64, latest variant; cold = own empty DISTILL_CACHE, warm = median of ${WARM_RUNS} rebuilds; times: wall clock of the distill process (/usr/bin/time %e)`,
  );
  console.log(
    `  ${pad('image', 11)} ${pad('compressed', 11)} ${pad('uncompr.', 10)} ${pad('SMALL', 9)} ${pad('seed', 18)} ${pad('goal (default / SMALL)', 26)} ${pad('cold', 8)} ${pad('warm', 18)} ${pad('warm --lock', 12)} peak RSS cold/warm (goal <= ${GOAL_RSS_KB} kB)`,
  );
  const failed: string[] = [];
  for (const name of NAMES) {
    const cache = join(work, `cache-${name}`);
    const out = join(work, `out-${name}`);
    const cold = await build(name, out, cache);
    const warms: Run[] = [];
    for (let i = 0; i < WARM_RUNS; i++) warms.push(await build(name, out, cache));
    const lockFile = join(work, `${name}.lock`);
    await build(name, out, cache, ['--lock', lockFile]); // writes the lock
    const locked: Run[] = [];
    for (let i = 0; i < WARM_RUNS; i++) locked.push(await build(name, out, cache, ['--lock', lockFile]));
    const small = await build(name, join(work, `small-${name}`), cache, SMALL);
    await rm(join(work, `small-${name}`), { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
    const layers = cold.json.platforms[0]?.layers ?? [];
    const size = layers.reduce((n, l) => n + l.size, 0);
    const usize = layers.reduce((n, l) => n + l.uncompressedSize, 0);
    const smallSize = (small.json.platforms[0]?.layers ?? []).reduce((n, l) => n + l.size, 0);
    const warmMs = median(warms.map((w) => w.ms));
    const lockedMs = median(locked.map((w) => w.ms));
    const goal = GOAL_MB[name];
    const verdict = (n: number) => (goal && n / 1e6 <= goal ? 'ok' : 'MISSED');
    const goalText = goal ? `<= ${goal} MB ${verdict(size)} / ${verdict(smallSize)}` : '';
    if (goal && size / 1e6 > goal) failed.push(`${name} size`);
    if (goal && smallSize / 1e6 > goal) failed.push(`${name} SMALL size`);
    if (warmMs / 1000 > GOAL_WARM_S) failed.push(`${name} warm`);
    if (lockedMs / 1000 > GOAL_WARM_S) failed.push(`${name} warm --lock`);
    const rssWarm = Math.max(...warms.map((w) => w.rssKb), ...locked.map((w) => w.rssKb), small.rssKb);
    if (Math.max(cold.rssKb, rssWarm) > GOAL_RSS_KB) failed.push(`${name} rss`);
    const same = [...warms, ...locked].every((w) => w.json.digest === cold.json.digest)
      ? ''
      : ' DIGEST CHANGED';
    const ok = (ms: number) => (ms / 1000 <= GOAL_WARM_S ? 'ok' : 'MISSED');
    console.log(
      `  ${pad(name, 11)} ${pad(mb(size), 11)} ${pad(mb(usize), 10)} ${pad(mb(smallSize), 9)} ${pad(SEED[name] ?? '-', 18)} ${pad(goalText, 26)} ${pad(s(cold.ms), 8)} ${pad(`${s(warmMs)} ${ok(warmMs)}`, 18)} ${pad(`${s(lockedMs)} ${ok(lockedMs)}`, 12)} ${cold.rssKb}/${rssWarm} kB${same}${cold.json.runtimeVersion ? `  (${cold.json.runtimeVersion})` : ''}`,
    );
  }
  console.log(`  SMALL = distill base NAME ${SMALL.join(' ')}`);
  console.log(`  goals: static <= 2.0 MB, python3 <= 30 MB, nodejs22 <= 46 MB, java21 <= 60 MB compressed;`);
  console.log(`         warm rebuild <= ${GOAL_WARM_S} s; peak RSS <= ${GOAL_RSS_KB} kB`);
  console.log(`  missed: ${failed.length ? failed.join(', ') : 'none'}`);

  if (spawnSync('mmdebstrap', ['--version']).status !== 0) {
    console.log('  mmdebstrap: not installed (package mmdebstrap) — no comparison');
  } else {
    const { main, security } = await discoverMirrors({ env: process.env });
    const sources = [
      `deb ${main} trixie main`,
      `deb ${main} trixie-updates main`,
      `deb ${security} trixie-security main`,
    ];
    const runtimes: Array<[string, string[]]> = [
      ['python3', ['python3.13-minimal', 'libpython3.13-stdlib']],
      ['java21', ['openjdk-21-jre-headless']],
    ];
    for (const [label, pkgs] of runtimes) {
      const tar = join(work, `mm-${label}.tar`);
      const t = performance.now();
      const r = spawnSync(
        'mmdebstrap',
        [
          '--quiet',
          '--variant=minbase',
          '--arch=amd64',
          `--include=${pkgs.join(',')}`,
          'trixie',
          tar,
          ...sources,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
      );
      const ms = performance.now() - t;
      if (r.status !== 0) {
        console.log(
          `  mmdebstrap minbase + ${pkgs.join(' ')}: failed (${r.status}): ${r.stderr.slice(-400)}`,
        );
        continue;
      }
      const size = (await stat(tar)).size;
      const gz = await gzipSize(tar);
      console.log(
        `  mmdebstrap --variant=minbase + ${pkgs.join(' ')}: ${mb(size)} tar, ${mb(gz)} gzip (${s(ms)}) — compare ${label} above`,
      );
      await rm(tar, { force: true });
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
