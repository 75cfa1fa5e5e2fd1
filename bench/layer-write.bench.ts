/**
 * Writing a ~200 MB layer with gzip: distill's layer writer next to
 * `tar --sort=name -cf - DIR | gzip -6` of the same tree, in the same run. Goal: ≤ 1.2x.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirEntries, writeLayer } from '../src/oci/index.ts';
import { median, realFileTree } from './tree.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = await mkdtemp(join(tmpdir(), 'distill-bench-layer-'));
try {
  const tree = join(work, 'tree');
  const { files, bytes } = await realFileTree(tree, 200 * 1024 * 1024);
  const ours: number[] = [];
  const theirs: number[] = [];
  let size = 0;
  let gnuSize = 0;
  for (let i = 0; i < RUNS; i++) {
    const out = join(work, `out-${i}`);
    let t = performance.now();
    const layer = await writeLayer(await dirEntries(tree), { dir: out });
    ours.push(performance.now() - t);
    size = layer.descriptor.size;
    t = performance.now();
    execFileSync('sh', [
      '-c',
      `tar --sort=name -cf - -C "${tree}" . | gzip -6 > "${join(work, 'gnu.tar.gz')}"`,
    ]);
    theirs.push(performance.now() - t);
    gnuSize = Number(execFileSync('stat', ['-c', '%s', join(work, 'gnu.tar.gz')], { encoding: 'utf8' }));
    await rm(out, { recursive: true, force: true });
  }
  const a = median(ours);
  const b = median(theirs);
  console.log(`layer-write: tree of ${files} files, ${(bytes / 1e6).toFixed(1)} MB (${RUNS} runs, medians)`);
  console.log(
    `  distill writeLayer gzip-6:        ${(a / 1000).toFixed(2)} s  -> ${(size / 1e6).toFixed(1)} MB`,
  );
  console.log(
    `  tar --sort=name | gzip -6:         ${(b / 1000).toFixed(2)} s  -> ${(gnuSize / 1e6).toFixed(1)} MB`,
  );
  console.log(`  ratio distill/tar+gzip: ${(a / b).toFixed(2)}x (goal <= 1.20x)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
