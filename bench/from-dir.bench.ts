/**
 * `distill image from-dir` on 200,000 small files (200 folders × 1,000 files of 0–2 KB, half of
 * them random bytes) next to `tar --sort=name -cf - DIR | gzip -6` of the same tree, in the same
 * run: wall time and peak RSS of each whole process (/usr/bin/time). Goal: within 3x of
 * tar|gzip, with memory that does not grow with file contents.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './tree.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FILES = Number(process.env.BENCH_FROMDIR_FILES ?? 200_000);
const PER_DIR = 1000;

/** Wall seconds and peak KB of a shell command, from /usr/bin/time. */
function time(cmd: string, env: Record<string, string> = {}): { s: number; kb: number } {
  try {
    const r = execFileSync('sh', ['-c', `/usr/bin/time -f '%e %M' sh -c '${cmd} >/dev/null 2>&1' 2>&1`], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    const [s, kb] = r.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [0, 0];
    return { s: s ?? 0, kb: kb ?? 0 };
  } catch (e) {
    throw new Error(`${cmd} failed: ${(e as Error).message}`);
  }
}

const work = await mkdtemp(join(tmpdir(), 'distill-bench-fromdir-'));
try {
  const tree = join(work, 'tree');
  let seed = 1;
  for (let d = 0; d * PER_DIR < FILES; d++) {
    const dir = join(tree, `d${String(d).padStart(3, '0')}`);
    await mkdir(dir, { recursive: true });
    for (let f = 0; f < PER_DIR && d * PER_DIR + f < FILES; f++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const size = seed % 2049;
      await writeFile(
        join(dir, `f${String(f).padStart(4, '0')}.txt`),
        f % 2 ? randomBytes(size) : 'x'.repeat(size),
      );
    }
  }
  const cli = join(process.cwd(), 'bin', 'distill.js');
  const ours: { s: number; kb: number }[] = [];
  const theirs: { s: number; kb: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = join(work, `out-${i}`);
    ours.push(
      time(`${process.execPath} ${cli} image from-dir ${tree} --output ${out}`, {
        DISTILL_CACHE: join(work, 'cache'),
      }),
    );
    theirs.push(time(`tar --sort=name -cf - -C ${tree} . | gzip -6 > ${join(work, 'gnu.tar.gz')}`));
    await rm(out, { recursive: true, force: true });
  }
  const a = median(ours.map((x) => x.s));
  const b = median(theirs.map((x) => x.s));
  console.log(`from-dir: ${FILES} small files (${RUNS} runs, whole-process medians)`);
  console.log(
    `  distill image from-dir --output:  ${a.toFixed(2)} s, peak ${(median(ours.map((x) => x.kb)) / 1024).toFixed(0)} MB`,
  );
  console.log(
    `  tar --sort=name | gzip -6:        ${b.toFixed(2)} s, peak ${(median(theirs.map((x) => x.kb)) / 1024).toFixed(0)} MB`,
  );
  console.log(`  ratio distill/tar+gzip: ${(a / b).toFixed(2)}x (goal <= 3.00x)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
