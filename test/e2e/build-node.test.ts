/**
 * `distill build` of the Node.js examples, loaded into the real Docker engine (--load, through
 * its API socket) and run: the HTTP answer, uid 65532 (each app reports it at /whoami), no
 * /bin/sh; a one-file change rebuilt keeps every other layer. Each example is copied to a
 * temporary directory and `npm ci` runs there (the repository keeps no node_modules). Bad input —
 * no recognisable project, a config with an unknown field or a wrong type, an entrypoint missing
 * from the image — fails with its code and writes nothing at the output path.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { NODE_ABI } from '../../src/app/detect/node/abi.ts';
import { distill } from '../helpers/cli.ts';
import { dockerRemove } from '../helpers/docker.ts';
import { freePort, REPO_ROOT, requireDocker, requireTool, run, runOk, tempDir } from '../helpers/tools.ts';
import { startRegistry } from '../registry/registry-server.ts';

const loaded: string[] = [];
after(() => dockerRemove(loaded));

async function example(t: TestContext, name: string): Promise<string> {
  const dir = join(await tempDir(t, `distill-${name}-`), name);
  await cp(join(REPO_ROOT, 'examples', name), dir, {
    recursive: true,
    filter: (s) => !s.includes('node_modules'),
  });
  runOk('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, timeout: 900_000, env: npmEnv() });
  return dir;
}

/**
 * node-gyp fetches Node's headers from the internet unless npm names a local copy: this kind of
 * machine ships them under /usr/include/node and its npm config says nodedir=/usr. Keep that true
 * when the user config is missing (a fresh HOME), so native addons build offline.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) {
    const configured = run('npm', ['config', 'get', 'nodedir']).stdout.trim();
    if (!configured || configured === 'undefined') env.npm_config_nodedir = '/usr';
  }
  return env;
}

function buildLoad(dir: string, tag: string, extra: string[] = []): { report: string; ms: number } {
  const started = performance.now();
  const r = distill(['build', dir, '--load', '--tag', tag, ...extra]);
  const ms = performance.now() - started;
  assert.equal(r.status, 0, `distill build failed:\n${r.stdout}\n${r.stderr}`);
  loaded.push(tag);
  return { report: `${r.stdout}\n${r.stderr}`, ms };
}

const rootfs = (tag: string): string[] =>
  JSON.parse(runOk('docker', ['inspect', '--format', '{{json .RootFS.Layers}}', tag]));

/** Runs the image with PORT set, fetches / and /whoami; checks uid 65532 and that there is no /bin/sh. */
async function runAndAsk(tag: string, expect: RegExp): Promise<{ uid: number; node: string }> {
  const port = await freePort();
  const name = `distill-e2e-node-${port}`;
  runOk('docker', ['run', '--rm', '-d', '--network', 'host', '-e', `PORT=${port}`, '--name', name, tag]);
  try {
    let body = '';
    for (let i = 0; i < 120 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`)
        .then((r) => r.text())
        .catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 250));
    }
    const logs = spawnSync('docker', ['logs', name], { encoding: 'utf8' });
    assert.match(body, expect, `no answer from ${tag}; logs:\n${logs.stdout}${logs.stderr}`);
    const who = (await (await fetch(`http://127.0.0.1:${port}/whoami`)).json()) as {
      uid: number;
      node: string;
    };
    assert.equal(who.uid, 65532, 'runs as nonroot');
    return who;
  } finally {
    spawnSync('docker', ['rm', '-f', name]);
    const shell = spawnSync('docker', ['run', '--rm', '--entrypoint', '/bin/sh', tag, '-c', 'true'], {
      encoding: 'utf8',
    });
    assert.notEqual(shell.status, 0, 'the image must have no /bin/sh');
    assert.match(shell.stderr, /no such file|not found/i);
  }
}

/** The NODE_MODULE_VERSION table distill uses agrees with the image's own node binary. */
function checkAbiTable(tag: string, report: string): void {
  const major = Number(/Node\.js (\d+): /.exec(report)?.[1]);
  const modules = runOk('docker', [
    'run',
    '--rm',
    '--entrypoint',
    '/nodejs/bin/node',
    tag,
    '-p',
    'process.versions.modules',
  ]);
  assert.equal(Number(modules.trim()), NODE_ABI[major], `NODE_MODULE_VERSION of Node.js ${major}`);
}

function expectError(args: string[], code: string, out: string, message?: RegExp, status = 1): void {
  const r = distill([...args, '--output', out]);
  assert.equal(r.status, status, `expected failure:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`distill: error ${code}: `));
  if (message) assert.match(r.stderr, message);
  assert.equal(existsSync(out), false, `nothing may be written at ${out}`);
}

test('express: answers, as 65532, no shell; a one-file change rebuilds only the app layer', async (t) => {
  if (!requireDocker(t) || !requireTool(t, 'npm', 'npm')) return;
  const dir = await example(t, 'express');
  const tag = 'distill-e2e/express:test';
  const first = buildLoad(dir, tag);
  assert.match(first.report, /Node\.js project: package\.json/);
  assert.match(first.report, /entry server\.js: the start script is "node server\.js"/);
  assert.match(first.report, /production packages from package-lock\.json \(dev dependencies left out\)/);
  await runAndAsk(tag, /^hello from distill$/m);
  checkAbiTable(tag, first.report);
  const before = rootfs(tag);
  assert.ok(existsSync(join(dir, 'distill.lock')), 'the build writes distill.lock beside the project');

  await appendFile(join(dir, 'lib', 'greeting.js'), "exports.greeting = () => 'hello again from distill';\n");
  const second = buildLoad(dir, tag);
  t.diagnostic(
    `first build ${first.ms.toFixed(0)} ms, rebuild after a one-file change ${second.ms.toFixed(0)} ms (with --load)`,
  );
  await runAndAsk(tag, /^hello again from distill$/m);
  const afterChange = rootfs(tag);
  assert.equal(afterChange.length, before.length);
  assert.deepEqual(afterChange.slice(0, -1), before.slice(0, -1), 'every layer but the app layer is kept');
  assert.notEqual(afterChange.at(-1), before.at(-1));

  // Two architectures: an index whose images share the (architecture-independent) app layers.
  const multi = JSON.parse(
    distill(['build', dir, '--arch', 'amd64,arm64', '--json', '--output', join(dir, '..', 'multi')]).stdout,
  ) as { mediaType: string; archs: string[]; layers: { name: string; digest: string }[][] };
  assert.equal(multi.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(multi.archs, ['amd64', 'arm64']);
  assert.deepEqual(multi.layers[0], multi.layers[1]);

  // --push to a registry: a rebuild pushes only what changed.
  if (requireTool(t, 'docker-registry', 'docker-registry')) {
    const reg = await startRegistry(t);
    const ref = `${reg.host}/express:e2e`;
    const p1 = distill(['build', dir, '--push', ref, '--json']);
    assert.equal(p1.status, 0, p1.stderr);
    await appendFile(join(dir, 'lib', 'greeting.js'), '// pushed again\n');
    const p2 = JSON.parse(distill(['build', dir, '--push', ref, '--json']).stdout) as {
      digest: string;
      push: { digest: string; blobs: { uploaded: number } };
    };
    assert.equal(p2.push.digest, p2.digest);
    assert.equal(p2.push.blobs.uploaded, 2, 'the app layer and the config');
    const tags = await (await fetch(`http://${reg.host}/v2/express/tags/list`)).json();
    assert.deepEqual(tags, { name: 'express', tags: ['e2e'] });
  }

  // Same project + lock → same digest.
  const a = JSON.parse(distill(['build', dir, '--json', '--output', join(dir, '..', 'o1')]).stdout).digest;
  const b = JSON.parse(distill(['build', dir, '--json', '--output', join(dir, '..', 'o2')]).stdout).digest;
  assert.equal(a, b);
});

test('express --slim --compression zstd:12: a slimmed zstd base, well under the default build, and it answers', async (t) => {
  if (!requireDocker(t) || !requireTool(t, 'npm', 'npm')) return;
  const dir = await example(t, 'express');
  const layoutSize = async (layout: string) => {
    const blob = async (d: string) =>
      JSON.parse(await readFile(join(layout, 'blobs', ...d.split(':')), 'utf8'));
    const idx = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
    const manifest = await blob(idx.manifests[0].digest);
    return {
      size: manifest.layers.reduce((n: number, l: { size: number }) => n + l.size, 0) as number,
      types: new Set(manifest.layers.map((l: { mediaType: string }) => l.mediaType)),
    };
  };
  const out = await tempDir(t, 'distill-express-slim-');
  const full = distill(['build', dir, '--output', join(out, 'full')]);
  assert.equal(full.status, 0, full.stderr);
  const tag = 'distill-e2e/express:slim';
  // --load hands the engine uncompressed layers for zstd ones (Docker 20.10 reads no zstd).
  buildLoad(dir, tag, ['--slim', '--compression', 'zstd:12', '--output', join(out, 'slim')]);
  const a = await layoutSize(join(out, 'full'));
  const b = await layoutSize(join(out, 'slim'));
  assert.deepEqual(b.types, new Set(['application/vnd.oci.image.layer.v1.tar+zstd']));
  assert.ok(b.size < a.size * 0.85, `slim+zstd ${b.size} bytes against ${a.size}`);
  t.diagnostic(`express: ${a.size} bytes by default, ${b.size} with --slim --compression zstd:12`);
  await runAndAsk(tag, /^hello from distill$/m);
});

test('node-native: better-sqlite3 built for the host Node.js 20 → a nodejs20 image (EOL warned) that runs the query', async (t) => {
  if (!requireDocker(t) || !requireTool(t, 'npm', 'npm') || !requireTool(t, 'g++', 'g++')) return;
  if (process.versions.node.split('.')[0] !== '20')
    return t.skip(`the host runs Node.js ${process.version}, not 20`);
  const dir = await example(t, 'node-native');
  const tag = 'distill-e2e/node-native:test';
  const { report } = buildLoad(dir, tag);
  assert.match(report, /better_sqlite3\.node: NODE_MODULE_VERSION 115 \(Node\.js 20\)/);
  assert.match(report, /Node\.js 20: the native addons were built for it/);
  assert.match(report, /warning: Node\.js 20 reached end-of-life/);
  const who = await runAndAsk(tag, /"total":42,"sqlite":"3\.\d+\.\d+"/);
  checkAbiTable(tag, report);
  assert.match(who.node, /^v20\./);

  // The same addon on another Node.js major is refused, naming both versions.
  expectError(
    ['build', dir, '--base', 'nodejs22'],
    'APP_NODE_ABI_MISMATCH',
    join(dir, '..', 'out-abi'),
    /built for Node\.js 20 \(NODE_MODULE_VERSION 115\) but the image runs Node\.js 22 \(NODE_MODULE_VERSION 127\)/,
  );
});

test('bad input: each a clear error with a stable code, nothing written at the output path', async (t) => {
  const root = await tempDir(t, 'distill-build-bad-');
  const empty = join(root, 'empty');
  await mkdir(empty);
  await writeFile(join(empty, 'notes.txt'), 'not a project');
  expectError(['build', empty], 'APP_NOT_RECOGNISED', join(root, 'o1'), /looked for package\.json/);

  const app = join(root, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ main: 'index.js' }));
  await writeFile(join(app, 'index.js'), '');
  await writeFile(join(app, 'distill.yaml'), 'base: nodejs22\nentrypont: ["/x"]\n');
  expectError(
    ['build', app],
    'APP_CONFIG_INVALID',
    join(root, 'o2'),
    /distill\.yaml:2: entrypont: unknown field/,
  );
  await writeFile(join(app, 'distill.yaml'), 'base: nodejs22\nports:\n  - 8080\n  - http\n');
  expectError(
    ['build', app],
    'APP_CONFIG_INVALID',
    join(root, 'o3'),
    /distill\.yaml:4: ports\[1\]: must be an integer or "NNNN\/tcp"/,
  );
  await writeFile(join(app, 'distill.yaml'), 'base: nodejs22\n');
  expectError(['build', app, '--compression', 'lz4'], 'CLI_USAGE', join(root, 'o5'), /gzip or zstd/, 2);
  expectError(['build', app, '--compression', 'zstd:22'], 'CLI_USAGE', join(root, 'o6'), /1–19/, 2);

  // The entrypoint check needs the base: the catalogue nodejs22 image (built or from the cache).
  if (!requireTool(t, 'npm', 'npm')) return;
  expectError(
    ['build', app, '--entrypoint', '["/bin/sh","-c","node index.js"]'],
    'APP_ENTRYPOINT_MISSING',
    join(root, 'o4'),
    /\/bin\/sh/,
  );
});
