/**
 * `distill build` of examples/express (issue 6): the rebuild after a one-file change, next to
 * `docker build` of the equivalent seed-style multi-stage Dockerfile in the same run, plus the
 * peak RSS of distill's build (the CLI under /usr/bin/time -f %M).
 *
 * No image can be pulled here, so both sides use images made on this machine:
 * - the final stage is FROM the nodejs base distill builds (the same major distill picks),
 *   loaded into the engine;
 * - the builder stage is FROM an image of this host's own Node.js: /usr/bin/node, npm and the
 *   glibc/libstdc++ files node links, `docker import`ed from a temporary rootfs. Its
 *   `RUN npm ci --omit=dev` reaches the npm registry through the host network.
 * The Dockerfile is the seed's (distroless examples/nodejs): COPY . /app, npm ci, then
 * COPY --from into the distroless image — so a one-file change reruns npm ci, as it does there.
 * Needs dockerd, npm and the npm registry; BENCH_RUNS (default 3) rebuilds each, median shown.
 */
import { spawnSync } from 'node:child_process';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './tree.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'distill.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL_S = 0.5;
const GOAL_RATIO = 10;
const GOAL_RSS_MB = 300;

function sh(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 1_800_000, ...opts });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

function timed(cmd: string, args: string[], cwd?: string): { s: number; out: string; err: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, cwd, timeout: 1_800_000 });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return { s, out: r.stdout, err: r.stderr };
}

/** `distill ARGS` under GNU time: seconds and peak RSS in MB. */
function distillTimed(args: string[]): { s: number; rssMb: number; out: string } {
  const r = timed('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, BIN, ...args]);
  const kb = Number(/maxrss=(\d+)/.exec(r.err)?.[1] ?? Number.NaN);
  return { s: r.s, rssMb: kb / 1024, out: r.out };
}

/** A rootfs with the host's node + npm + the libraries node links, imported as an image. */
async function hostNodeBuilder(work: string, tag: string): Promise<string> {
  const rootfs = join(work, 'builder-rootfs');
  const node = sh('readlink', ['-f', sh('sh', ['-c', 'command -v node']).trim()]).trim();
  const npmCli = sh('readlink', ['-f', sh('sh', ['-c', 'command -v npm']).trim()]).trim();
  const npmDir = dirname(dirname(npmCli));
  const copy = async (src: string, dest = src) => {
    await mkdir(dirname(join(rootfs, dest)), { recursive: true });
    await cp(src, join(rootfs, dest), { recursive: true, dereference: true });
  };
  await copy(node, '/usr/bin/node');
  await copy(npmDir, '/usr/lib/node_modules/npm');
  for (const m of sh('ldd', [node]).matchAll(/(\/\S+) \(0x/g)) await copy(m[1] as string);
  await copy('/etc/ssl/certs/ca-certificates.crt');
  for (const d of ['tmp', 'root', 'etc']) await mkdir(join(rootfs, d), { recursive: true });
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\n');
  // npm's registry comes from the host's npm config, as distill's does.
  const registry = sh('npm', ['config', 'get', 'registry']).trim();
  // And its CA file: the host's npm may sit behind a TLS-intercepting proxy.
  const cafile = sh('npm', ['config', 'get', 'cafile']).trim();
  let npmrc = `registry=${registry}\n`;
  if (cafile && cafile !== 'null' && cafile !== 'undefined') {
    await copy(cafile, '/etc/ssl/npm-ca.crt');
    npmrc += 'cafile=/etc/ssl/npm-ca.crt\n';
  }
  await writeFile(join(rootfs, 'root/.npmrc'), npmrc);
  const tar = join(work, 'builder.tar');
  sh('tar', ['-C', rootfs, '-cf', tar, '.']);
  sh('docker', [
    'import',
    '--change',
    'ENV PATH=/usr/bin HOME=/root SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
    tar,
    tag,
  ]);
  return sh('/usr/bin/node', ['--version']).trim();
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'distill-bench-build-'));
  const tags = { builder: 'distill-bench/node-builder:host', docker: 'distill-bench/express:docker' };
  try {
    const app = join(work, 'express');
    await cp(join(ROOT, 'examples', 'express'), app, {
      recursive: true,
      filter: (s) => !s.includes('node_modules'),
    });
    sh('npm', ['ci', '--no-audit', '--no-fund'], { cwd: app });

    // Warm distill (base built or taken from the cache, distill.lock written): what major did it pick?
    const first = JSON.parse(
      sh(process.execPath, [BIN, 'build', app, '--json', '--output', join(work, 'out')]),
    );
    const base = first.base as string; // distill/nodejs26:latest
    const baseName = (/distill\/(nodejs\d+)/.exec(base)?.[1] ?? 'nodejs26') as string;
    const baseTag = `distill-bench/${baseName}:latest`;
    sh(process.execPath, [BIN, 'base', baseName, '--archive', join(work, 'base.tar'), '--tag', baseTag]);
    sh('docker', ['load', '-q', '-i', join(work, 'base.tar')]);
    const hostNode = await hostNodeBuilder(work, tags.builder);

    const dockerfile = [
      `FROM ${tags.builder} AS build-env`,
      'COPY . /app',
      'WORKDIR /app',
      'RUN ["/usr/bin/node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "ci", "--omit=dev", "--no-audit", "--no-fund"]',
      `FROM ${baseTag}`,
      'COPY --from=build-env /app /app',
      'WORKDIR /app',
      'USER 65532',
      'CMD ["server.js"]',
    ].join('\n');
    await writeFile(join(work, 'Dockerfile'), `${dockerfile}\n`);
    const dockerBuild = () =>
      timed('docker', [
        'build',
        '-q',
        '--network',
        'host',
        '-f',
        join(work, 'Dockerfile'),
        '-t',
        tags.docker,
        app,
      ]);
    dockerBuild(); // warm: both stages' bases present, layer cache filled

    const greeting = join(app, 'lib', 'greeting.js');
    const original = await readFile(greeting, 'utf8');
    const distillRuns: { s: number; rssMb: number }[] = [];
    const loadRuns: number[] = [];
    const dockerRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await writeFile(greeting, original);
      await appendFile(greeting, `// change ${i} ${Date.now()}\n`);
      const d = distillTimed(['build', app, '--json', '--output', join(work, 'out')]);
      const report = JSON.parse(d.out) as { layers: { name: string; cached: boolean }[][] };
      const rebuilt = report.layers[0]?.filter((l) => !l.cached).map((l) => l.name);
      if (rebuilt?.join() !== 'app') throw new Error(`expected only the app layer rebuilt, got ${rebuilt}`);
      distillRuns.push(d);
      loadRuns.push(
        timed(process.execPath, [BIN, 'build', app, '--load', '--tag', 'distill-bench/express:distill']).s,
      );
      dockerRuns.push(dockerBuild().s);
    }
    const distillS = median(distillRuns.map((r) => r.s));
    const loadS = median(loadRuns);
    const dockerS = median(dockerRuns);
    const rss = Math.max(...distillRuns.map((r) => r.rssMb));
    const ratio = dockerS / distillS;
    const mark = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
    console.log('examples/express, a one-file change (lib/greeting.js), median of', RUNS, 'rebuilds:');
    console.log(`  distill build (CLI, to an OCI layout)      ${distillS.toFixed(3)} s`);
    console.log(`  distill build --load (+ engine import)     ${loadS.toFixed(3)} s`);
    console.log(`  docker build (seed-style multi-stage)      ${dockerS.toFixed(3)} s`);
    console.log(`  ratio docker/distill                       ${ratio.toFixed(1)}x`);
    console.log(`  ratio docker/distill --load                ${(dockerS / loadS).toFixed(1)}x`);
    console.log(`  distill peak RSS                           ${rss.toFixed(0)} MB`);
    console.log('goals:');
    console.log(`  ${mark(distillS <= GOAL_S)} rebuild <= ${GOAL_S} s (${distillS.toFixed(3)} s)`);
    console.log(
      `  ${mark(ratio >= GOAL_RATIO)} >= ${GOAL_RATIO}x faster than docker build (${ratio.toFixed(1)}x)`,
    );
    console.log(`  ${mark(rss <= GOAL_RSS_MB)} peak RSS <= ${GOAL_RSS_MB} MB (${rss.toFixed(0)} MB)`);
    console.log('how:');
    console.log(`  final stage FROM ${baseTag}: \`distill base ${baseName}\` loaded into the engine`);
    console.log(
      `  builder stage FROM ${tags.builder}: \`docker import\` of a rootfs with this host's node ${hostNode}, npm and the libraries node links (nothing pulled)`,
    );
    console.log(
      "  Dockerfile: COPY . /app; RUN npm ci --omit=dev; COPY --from=build-env /app /app (the seed's nodejs example)",
    );
  } finally {
    spawnSync('docker', ['rmi', '-f', tags.builder, tags.docker, 'distill-bench/express:distill'], {
      stdio: 'ignore',
    });
    await rm(work, { recursive: true, force: true });
  }
}

await main();
