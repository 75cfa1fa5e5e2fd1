import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { contentHashes } from '../../../files/index.ts';
import { openCache } from '../../../platform/cache.ts';
import { AppError } from '../../errors.ts';
import type { AppConfig, DetectContext } from '../../types.ts';
import { addonAbi, majorForAbi, NODE_ABI } from './abi.ts';
import { parseStartScript } from './entry.ts';
import { chooseNodeMajor } from './major.ts';
import { isBuildIntermediate, nodeDetector } from './node.ts';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function project(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'distill-node-'));
  roots.push(dir);
  for (const [p, c] of Object.entries(files)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), c);
  }
  return dir;
}

async function ctx(): Promise<DetectContext> {
  const root = await mkdtemp(join(tmpdir(), 'distill-node-cache-'));
  roots.push(root);
  return {
    archs: ['amd64'],
    epoch: 0,
    env: {},
    cache: await openCache(root),
    hashes: contentHashes(),
    ignored: () => false,
    user: '65532',
    now: () => Date.parse('2026-11-27T00:00:00Z'),
  };
}

const json = (v: unknown) => JSON.stringify(v, null, 2);
const lock = (packages: Record<string, unknown>) =>
  json({ name: 'x', lockfileVersion: 3, packages: { '': {}, ...packages } });

/** A fake addon: what matters is the exported symbol name in the dynamic string table. */
const addon = (symbol: string) =>
  Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(64), Buffer.from(`${symbol}\0`)]);

async function detect(dir: string, config: AppConfig = {}) {
  return nodeDetector.detect(dir, config, await ctx());
}

async function code(p: Promise<unknown>, c: string, msg?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, c);
    if (msg) assert.match(e.message, msg);
    return true;
  });
}

describe('Node.js detector', () => {
  it('is not interested without package.json', async () => {
    assert.equal(await detect(await project({ 'main.py': '' })), undefined);
  });

  it('entry from a `node FILE` start script; production dependencies only; node_modules/.bin left out', async () => {
    const dir = await project({
      'package.json': json({
        name: 'web',
        scripts: { start: 'node --enable-source-maps src/server.js --port 1' },
        main: 'other.js',
      }),
      'package-lock.json': lock({
        'node_modules/a': { version: '1.0.0' },
        'node_modules/a/node_modules/b': { version: '1.0.0' },
        'node_modules/devonly': { version: '1.0.0', dev: true },
        'node_modules/@s/c': { version: '1.0.0', optional: true },
      }),
      'src/server.js': 'require("a")',
      'node_modules/a/package.json': '{}',
      'node_modules/a/index.js': '',
      'node_modules/a/node_modules/b/package.json': '{}',
      'node_modules/devonly/package.json': '{}',
      'node_modules/.bin/x': '',
    });
    const plan = await detect(dir);
    assert.ok(plan);
    assert.deepEqual(plan.entrypoint, ['/nodejs/bin/node', '--enable-source-maps']);
    assert.deepEqual(plan.cmd, ['/app/src/server.js', '--port', '1']);
    assert.equal(plan.base, 'nodejs26');
    assert.match(plan.reasons.join('\n'), /the start script is "node --enable-source-maps/);
    const [deps, app] = plan.layers;
    assert.equal(deps?.name, 'deps');
    const depPaths = (await deps.entries()).map((e) => e.path);
    assert.ok(depPaths.includes('app/node_modules/a/index.js'));
    assert.ok(depPaths.includes('app/node_modules/a/node_modules/b/package.json'));
    assert.ok(!depPaths.some((p) => p.includes('devonly') || p.includes('.bin')), depPaths.join(' '));
    const appPaths = (await app?.entries())?.map((e) => e.path) ?? [];
    assert.ok(appPaths.includes('app/src/server.js'));
    assert.ok(!appPaths.some((p) => p.includes('node_modules')));
    // root-owned, read-only for the runtime user
    for (const e of await deps.entries()) {
      assert.equal(e.uid, 0);
      assert.ok(e.mode === 0o644 || e.mode === 0o755, `${e.path} ${e.mode.toString(8)}`);
    }
  });

  it('entry from package.json main, then index.js; none → APP_NODE_ENTRY_NOT_FOUND', async () => {
    const a = await detect(await project({ 'package.json': json({ main: 'lib/app' }), 'lib/app.js': '' }));
    assert.deepEqual(a?.cmd, ['/app/lib/app.js']);
    const b = await detect(
      await project({ 'package.json': json({ scripts: { start: 'nodemon x' } }), 'index.js': '' }),
    );
    assert.deepEqual(b?.cmd, ['/app/index.js']);
    await code(
      detect(await project({ 'package.json': json({ scripts: { start: 'node missing.js' } }) })),
      'APP_NODE_ENTRY_NOT_FOUND',
      /missing\.js not found/,
    );
  });

  it('a production dependency missing from node_modules asks for `npm ci`', async () => {
    const dir = await project({
      'package.json': json({ main: 'index.js', dependencies: { a: '1' } }),
      'package-lock.json': lock({ 'node_modules/a': { version: '1.0.0' } }),
      'index.js': '',
    });
    await code(detect(dir), 'APP_NODE_MODULES_MISSING', /node_modules\/a.*npm ci/);
  });

  it('dependencies without a lockfile are refused', async () => {
    const dir = await project({ 'package.json': json({ dependencies: { a: '1' } }), 'index.js': '' });
    await code(detect(dir), 'APP_NODE_PROJECT_INVALID', /package-lock\.json/);
  });

  it('engines.node picks the newest LTS major it allows', async () => {
    const plan = await detect(
      await project({ 'package.json': json({ engines: { node: '>=20 <25' } }), 'index.js': '' }),
    );
    assert.equal(plan?.base, 'nodejs24');
    assert.equal(plan?.runtime?.kind === 'node' && plan.runtime.major, 24);
  });

  it('a classic addon decides the major (with the EOL warning); N-API does not', async () => {
    const dir = await project({
      'package.json': json({ main: 'index.js', dependencies: { n: '1', m: '1' } }),
      'package-lock.json': lock({ 'node_modules/n': {}, 'node_modules/m': {} }),
      'index.js': '',
      'node_modules/n/package.json': '{}',
      'node_modules/n/build/Release/n.node': addon('node_register_module_v115'),
      'node_modules/n/build/Release/obj.target/n.o': 'x',
      'node_modules/m/package.json': '{}',
      'node_modules/m/m.node': addon('napi_register_module_v1'),
    });
    const plan = await detect(dir);
    assert.equal(plan?.base, 'nodejs20');
    assert.match(plan?.warnings?.join() ?? '', /end-of-life/);
    assert.deepEqual(plan?.elfFiles.map((f) => f.path).sort(), [
      '/app/node_modules/m/m.node',
      '/app/node_modules/n/build/Release/n.node',
    ]);
    assert.ok(!(await plan?.layers[0]?.entries())?.some((e) => e.path.endsWith('.o')));
  });

  it('an addon for another ABI than the configured image is APP_NODE_ABI_MISMATCH naming both', async () => {
    const dir = await project({
      'package.json': json({ main: 'index.js' }),
      'index.js': '',
      'native/x.node': addon('node_register_module_v115'),
    });
    await code(
      detect(dir, { base: 'nodejs22' }),
      'APP_NODE_ABI_MISMATCH',
      /built for Node\.js 20 \(NODE_MODULE_VERSION 115\).*Node\.js 22 \(NODE_MODULE_VERSION 127\)/,
    );
  });
});

describe('Node.js ABI', () => {
  it('reads node_register_module_v<N> and napi_register_module_v1', () => {
    assert.deepEqual(addonAbi(addon('node_register_module_v127')), { kind: 'node', moduleVersion: 127 });
    assert.deepEqual(addonAbi(addon('napi_register_module_v1')), { kind: 'napi' });
    assert.equal(addonAbi(Buffer.from('\x7fELF nothing')), undefined);
  });

  it('maps NODE_MODULE_VERSION to majors (115=20, 127=22, 137=24, 147=26)', () => {
    assert.deepEqual(NODE_ABI, { 20: 115, 22: 127, 24: 137, 26: 147 });
    assert.equal(majorForAbi(137), 24);
    assert.equal(majorForAbi(120), undefined);
  });

  it('agrees with the Node.js running the tests', () => {
    const major = Number(process.versions.node.split('.')[0]);
    if (NODE_ABI[major] !== undefined) assert.equal(NODE_ABI[major], Number(process.versions.modules));
  });

  it('chooseNodeMajor: base beats engines beats addons; conflicts and unknown ABIs are errors', () => {
    const today = '2026-11-27';
    assert.equal(chooseNodeMajor({ base: 'nodejs22:nonroot', engines: '20', addons: [], today }).major, 22);
    assert.equal(chooseNodeMajor({ base: 'oci:x', addons: [], today }).major, undefined);
    assert.equal(chooseNodeMajor({ engines: '^22.3', addons: [], today }).major, 22);
    assert.throws(() => chooseNodeMajor({ engines: '18', addons: [], today }), {
      code: 'APP_NODE_VERSION_UNSUPPORTED',
    });
    assert.throws(
      () =>
        chooseNodeMajor({
          addons: [
            { path: 'a', moduleVersion: 115 },
            { path: 'b', moduleVersion: 127 },
          ],
          today,
        }),
      { code: 'APP_NODE_ABI_CONFLICT' },
    );
    assert.throws(() => chooseNodeMajor({ addons: [{ path: 'a', moduleVersion: 120 }], today }), {
      code: 'APP_NODE_VERSION_UNSUPPORTED',
    });
    assert.throws(() => chooseNodeMajor({ base: 'nodejs18', addons: [], today }), {
      code: 'APP_NODE_VERSION_UNSUPPORTED',
    });
  });

  it('start scripts: only `node [opts] FILE [args]` without shell syntax', () => {
    assert.deepEqual(parseStartScript('node server.js'), { file: 'server.js', nodeArgs: [], args: [] });
    assert.equal(parseStartScript('node a.js && node b.js'), undefined);
    assert.equal(parseStartScript('tsx server.ts'), undefined);
    assert.ok(isBuildIntermediate('build/Release/obj.target'));
    assert.ok(!isBuildIntermediate('build/Release/x.node'));
  });
});
