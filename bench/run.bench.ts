/**
 * `distill build DIR && distill run oci:…` after a one-file change (issue 12): the time from the
 * end of the build to the app's first line of output ("listening on 8080"), next to
 * `distill build --load` + `docker run` of the same image in the same run. distill run needs no
 * engine import: only the changed app layer is unpacked (onto hard links of the cached chain below
 * it) and runc starts the container. Needs runc, dockerd, npm and the npm registry; BENCH_RUNS
 * (default 3) rounds, medians shown.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './tree.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'distill.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL_S = 1;

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 1_800_000, ...opts });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

function seconds(f: () => void): number {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
}

/** Starts `cmd`, resolves with the seconds until its first line on stdout; `stop` ends it. */
function firstOutput(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ s: number; child: ChildProcess; line: string }> {
  const t = performance.now();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ s: (performance.now() - t) / 1000, child, line: out.slice(0, nl) });
    });
    child.on('exit', (c) =>
      reject(new Error(`${cmd} ${args.join(' ')} exited ${c} before any output:\n${err}`)),
    );
  });
}

async function stop(child: ChildProcess, sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit'); // firstOutput's "exited before any output"
  const done = new Promise((r) => child.on('exit', r));
  child.kill(sig);
  await done;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'distill-bench-run-'));
  const tag = 'distill-bench/express-run:latest';
  const env = { ...process.env, DISTILL_RUN_ROOT: join(work, 'run') };
  try {
    const app = join(work, 'express');
    await cp(join(ROOT, 'examples', 'express'), app, {
      recursive: true,
      filter: (s) => !s.includes('node_modules'),
    });
    sh('npm', ['ci', '--no-audit', '--no-fund'], { cwd: app });
    const out = join(work, 'out');
    const ref = `oci:${out}`;
    // Warm: base in the cache, the chain below the app unpacked, the engine holding the base layers.
    sh(process.execPath, [BIN, 'build', app, '--output', out, '--quiet'], { env });
    const warm = await firstOutput(process.execPath, [BIN, 'run', ref, '--rm', '--quiet'], env);
    await stop(warm.child);
    sh(process.execPath, [BIN, 'build', app, '--load', '--tag', tag, '--quiet'], { env });

    const greeting = join(app, 'lib', 'greeting.js');
    const original = await readFile(greeting, 'utf8');
    const rows: { build: number; run: number; load: number; docker: number }[] = [];
    let line = '';
    for (let i = 0; i < RUNS; i++) {
      await writeFile(greeting, original);
      await appendFile(greeting, `// change ${i} ${Date.now()}\n`);
      const build = seconds(() =>
        sh(process.execPath, [BIN, 'build', app, '--output', out, '--quiet'], { env }),
      );
      const r = await firstOutput(process.execPath, [BIN, 'run', ref, '--rm', '--quiet'], env);
      line = r.line;
      await stop(r.child);

      await writeFile(greeting, original);
      await appendFile(greeting, `// change ${i} docker ${Date.now()}\n`);
      const load = seconds(() =>
        sh(process.execPath, [BIN, 'build', app, '--load', '--tag', tag, '--quiet'], { env }),
      );
      const name = `distill-bench-run-${process.pid}-${i}`;
      const d = await firstOutput(
        'docker',
        ['run', '--rm', '--name', name, '--network', 'host', '-e', 'PORT=18080', tag],
        env,
      );
      // Node.js as pid 1 may drop the SIGTERM docker run proxies: the container is killed instead.
      d.child.removeAllListeners('exit'); // firstOutput's "exited before any output"
      const exited = new Promise((r) => d.child.on('exit', r));
      spawnSync('docker', ['kill', name], { stdio: 'ignore' });
      await exited;
      rows.push({ build, run: r.s, load, docker: d.s });
    }
    const m = (k: keyof (typeof rows)[number]) => median(rows.map((x) => x[k]));
    const run = m('run');
    console.log(
      `examples/express, a one-file change (lib/greeting.js), median of ${RUNS} rounds; first output: "${line}"`,
    );
    console.log(`  distill build DIR (OCI layout)                ${m('build').toFixed(3)} s`);
    console.log(`  + distill run oci:… to first output           ${run.toFixed(3)} s`);
    console.log(`  = change → running (distill)                  ${(m('build') + run).toFixed(3)} s`);
    console.log(`  distill build --load (into the engine)        ${m('load').toFixed(3)} s`);
    console.log(`  + docker run to first output                  ${m('docker').toFixed(3)} s`);
    console.log(`  = change → running (--load + docker run)      ${(m('load') + m('docker')).toFixed(3)} s`);
    console.log('goals:');
    console.log(
      `  ${run <= GOAL_S ? 'ok  ' : 'MISS'} start after build <= ${GOAL_S} s (${run.toFixed(3)} s)`,
    );
  } finally {
    spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
    await rm(work, { recursive: true, force: true });
  }
}

await main();
