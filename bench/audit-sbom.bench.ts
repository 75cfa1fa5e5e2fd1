/**
 * Issue 11: `distill sbom` (and, when it lands, `distill audit`) of nodejs22 (~150 MB
 * uncompressed), warm: the image is built first (cache warm after the first build), then each
 * command runs as its own process under /usr/bin/time — wall time and peak RSS, medians of
 * BENCH_RUNS. Goal: audit + sbom together ≤ 2 s and ≤ 250 MB peak (layers are streamed, never
 * held; the 120 MB node binary is only searched for its version).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './tree.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IMAGE = process.env.BENCH_SBOM_IMAGE ?? 'nodejs22';

interface Sample {
  s: number;
  kb: number;
}

/** Wall seconds and peak KB of one command, from /usr/bin/time; throws with its stderr on failure. */
function timed(argv: string[]): Sample {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...argv], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  const [s, kb] = r.stderr.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [0, 0];
  return { s: s ?? 0, kb: kb ?? 0 };
}

const work = await mkdtemp(join(tmpdir(), 'distill-bench-sbom-'));
try {
  const cli = join(process.cwd(), 'bin', 'distill.js');
  const layout = join(work, IMAGE);
  execFileSync(process.execPath, [cli, 'base', IMAGE, '--output', layout, '-q'], { stdio: 'inherit' });
  const ref = `oci:${layout}`;
  const commands: Record<string, string[]> = {
    'sbom spdx-json': [process.execPath, cli, 'sbom', ref, '-o', join(work, 'sbom.spdx.json')],
    'sbom cyclonedx-json': [
      process.execPath,
      cli,
      'sbom',
      ref,
      '--format',
      'cyclonedx-json',
      '-o',
      join(work, 'sbom.cdx.json'),
    ],
    // The audit helper adds: 'audit': [process.execPath, cli, 'audit', ref, '--json'],
  };
  console.log(
    `audit-sbom: ${IMAGE} (${RUNS} runs each, whole-process medians; goal audit+sbom ≤ 2 s, ≤ 250 MB)`,
  );
  for (const [label, argv] of Object.entries(commands)) {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(timed(argv));
    const out = argv[argv.length - 1] as string;
    const size = (await stat(out)).size;
    console.log(
      `  distill ${label.padEnd(20)} ${median(samples.map((x) => x.s)).toFixed(2)} s, peak ${(median(samples.map((x) => x.kb)) / 1024).toFixed(0)} MB (max ${(Math.max(...samples.map((x) => x.kb)) / 1024).toFixed(0)} MB), ${(size / 1024).toFixed(0)} KiB document`,
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
