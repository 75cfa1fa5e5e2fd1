/**
 * Issue 11: `distill sbom` and `distill audit` of nodejs22 (~150 MB
 * uncompressed), warm: the image is built first (cache warm after the first build), then each
 * command runs as its own process under /usr/bin/time — wall time and peak RSS, medians of
 * BENCH_RUNS. Goal: audit + sbom together ≤ 2 s and ≤ 250 MB peak (layers are streamed, never
 * held; the 120 MB node binary is only searched for its version): `distill audit --sbom FILE` does
 * both from one scan; the two separate commands are printed too.
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
  /** user + system CPU seconds: what the run costs, less sensitive to a busy machine than wall time. */
  cpu: number;
}

/** Wall seconds and peak KB of one command, from /usr/bin/time; throws with its stderr on failure. */
function timed(argv: string[]): Sample {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', ...argv], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  const [s = 0, kb = 0, user = 0, sys = 0] = r.stderr.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  return { s, kb, cpu: user + sys };
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
    // The audit's table goes to stdout (ignored); its SARIF file is the document measured.
    audit: [process.execPath, cli, 'audit', ref, '--sarif', join(work, 'audit.sarif')],
    // Both from one read of the layers: what the goal is about.
    'audit --sbom': [process.execPath, cli, 'audit', ref, '--sbom', join(work, 'both.spdx.json')],
  };
  const medians: Record<string, { s: number; kb: number; cpu: number }> = {};
  console.log(
    `audit-sbom: ${IMAGE} (${RUNS} runs each, whole-process medians; goal audit+sbom ≤ 2 s, ≤ 250 MB)`,
  );
  for (const [label, argv] of Object.entries(commands)) {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(timed(argv));
    const out = argv[argv.length - 1] as string;
    const size = (await stat(out)).size;
    medians[label] = {
      s: median(samples.map((x) => x.s)),
      kb: median(samples.map((x) => x.kb)),
      cpu: median(samples.map((x) => x.cpu)),
    };
    console.log(
      `  distill ${label.padEnd(20)} ${median(samples.map((x) => x.s)).toFixed(2)} s (cpu ${median(samples.map((x) => x.cpu)).toFixed(2)} s), peak ${(median(samples.map((x) => x.kb)) / 1024).toFixed(0)} MB (max ${(Math.max(...samples.map((x) => x.kb)) / 1024).toFixed(0)} MB), ${(size / 1024).toFixed(0)} KiB document`,
    );
  }
  const sbom = medians['sbom spdx-json'];
  const audit = medians.audit;
  if (sbom && audit)
    console.log(
      `  audit + sbom spdx-json       ${(sbom.s + audit.s).toFixed(2)} s (cpu ${(sbom.cpu + audit.cpu).toFixed(2)} s; two processes), peak ${(Math.max(sbom.kb, audit.kb) / 1024).toFixed(0)} MB`,
    );
} finally {
  await rm(work, { recursive: true, force: true });
}
