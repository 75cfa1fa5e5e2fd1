/**
 * Resolve + download + extract the distroless `base` set for trixie/amd64 with distill, cold cache
 * and warm, next to `mmdebstrap --variant=extract --include=<same set>` from the same mirror (the one
 * distill's own discovery finds) in the same run. Goals: cold ≤ 1.0x mmdebstrap, warm ≤ 0.3 s.
 * Needs the Debian archive; mmdebstrap is skipped (with a message) when it is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchiveContext } from '../src/debian/archive/context.ts';
import { packageContents } from '../src/debian/deb/extract-packages.ts';
import { resolveFromRelease } from '../src/debian/resolve/from-release.ts';
import { openCache } from '../src/platform/cache.ts';
import { median } from './tree.ts';

const BASE = ['base-files', 'netbase', 'tzdata', 'media-types', 'libc6', 'libssl3t64', 'libzstd1', 'zlib1g'];
const WARM_RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** One full distill run against the cache at `root`; returns ms and what it produced. */
async function distill(root: string) {
  const t = performance.now();
  // A fresh Cache instance each run, so nothing verified by an earlier run is taken on trust.
  const cache = await openCache(root);
  const ctx = await openArchiveContext({ debian: 13, env: { ...process.env, DISTILL_CACHE: root }, cache });
  const res = await resolveFromRelease(ctx.spec, BASE, { arch: 'amd64', archive: ctx.archive });
  const resolveMs = performance.now() - t;
  const contents = await packageContents(res.packages, { cache, mergedUsr: true, concurrency: 4 });
  const ms = performance.now() - t;
  const packagesMs = ms - resolveMs;
  const files = contents.reduce((n, c) => n + c.files.length + c.statusD.length, 0);
  const bytes = res.packages.reduce((n, p) => n + p.size, 0);
  return { ms, resolveMs, packagesMs, res, ctx, files, bytes };
}

const work = await mkdtemp(join(tmpdir(), 'distill-bench-deb-'));
try {
  const root = join(work, 'cache');
  const cold = await distill(root);
  const warmRuns: Array<Awaited<ReturnType<typeof distill>>> = [];
  for (let i = 0; i < WARM_RUNS; i++) warmRuns.push(await distill(root));
  const warm = warmRuns.map((r) => r.ms);
  const split = (r: { resolveMs: number; packagesMs: number }) =>
    `resolve ${(r.resolveMs / 1000).toFixed(3)} s + download/extract ${(r.packagesMs / 1000).toFixed(3)} s`;
  const names = cold.res.packages.map((p) => p.name);
  console.log(
    `debian-base: trixie/amd64, ${names.length} packages (${names.join(' ')}), ${(cold.bytes / 1e6).toFixed(1)} MB of .deb, ${cold.files} layer entries`,
  );
  console.log(`  distill cold (resolve+download+extract): ${(cold.ms / 1000).toFixed(2)} s (${split(cold)})`);
  const mid = [...warmRuns].sort((a, b) => a.ms - b.ms)[warmRuns.length >> 1] ?? cold;
  console.log(
    `  distill warm (median of ${WARM_RUNS}):           ${(median(warm) / 1000).toFixed(3)} s (goal <= 0.3 s; ${split(mid)})`,
  );

  if (spawnSync('mmdebstrap', ['--version']).status !== 0) {
    console.log('  mmdebstrap: not installed (package mmdebstrap) — no ratio');
  } else {
    const { main, security } = cold.ctx.mirrors;
    const sources = [
      `deb ${main} trixie main`,
      `deb ${main} trixie-updates main`,
      `deb ${security} trixie-security main`,
    ];
    const out = join(work, 'mm.tar');
    const t = performance.now();
    execFileSync(
      'mmdebstrap',
      ['--quiet', '--variant=extract', `--include=${names.join(',')}`, 'trixie', out, ...sources],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const mm = performance.now() - t;
    console.log(`  mmdebstrap --variant=extract (same set):  ${(mm / 1000).toFixed(2)} s`);
    console.log(`  ratio distill cold/mmdebstrap: ${(cold.ms / mm).toFixed(2)}x (goal <= 1.00x)`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
