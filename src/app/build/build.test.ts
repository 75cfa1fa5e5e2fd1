import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeAppLock } from '../../lock/app-lock.ts';
import type { Image } from '../../oci/index.ts';
import type { NativeCheckInput } from '../types.ts';
import { buildApp } from './build.ts';
import { code, express, options, project } from './build-testing.ts';
import { BASE_DIGEST, BASE_NAME, WRITABLE_LABEL } from './image-config.ts';
import { imageTree } from './image-files.ts';

describe('buildApp', () => {
  it('a Node project on a base: deps layer below the app layer, config, annotations, reproducible', async () => {
    const dir = await express();
    const o = await options(dir);
    const b = await buildApp(o);
    const img = b.artifact as Image;
    assert.equal(img.kind, 'image');
    assert.equal(img.layers.length, 3);
    assert.deepEqual(
      b.layers[0]?.map((l) => l.name),
      ['deps', 'app'],
    );
    const c = img.config.config;
    assert.deepEqual(c?.Entrypoint, ['/nodejs/bin/node']);
    assert.deepEqual(c?.Cmd, ['/app/server.js']);
    assert.equal(c?.User, '65532');
    assert.equal(c?.WorkingDir, '/app');
    assert.ok(c?.Env?.includes('NODE_ENV=production'));
    assert.equal(img.manifest.annotations?.[BASE_NAME], 'oci:fake');
    assert.match(img.manifest.annotations?.[BASE_DIGEST] ?? '', /^sha256:/);
    assert.equal(img.config.history?.at(-1)?.created_by, 'distill build: app layer');

    const tree = await imageTree(
      img.layers.map((layer) => ({ layer })),
      o.cache,
    );
    assert.equal(tree.files.get('app/server.js')?.uid, 0);
    assert.equal(tree.files.get('app/server.js')?.mode, 0o644);
    assert.ok(
      tree.files.has('app/node_modules/a/index.js'),
      'deps come from node_modules despite .dockerignore',
    );
    assert.ok(!tree.files.has('app/README.md'), '.dockerignore honoured');

    // Same project, same inputs, fresh cache → same digest.
    const again = await buildApp(await options(dir));
    assert.equal(again.artifact.descriptor.digest, b.artifact.descriptor.digest);
  });

  it('changing one source file changes only the app layer', async () => {
    const dir = await express();
    const o = await options(dir);
    const first = (await buildApp(o)).artifact as Image;
    await writeFile(join(dir, 'lib/util.js'), 'exports.x = 2');
    const b = await buildApp(o);
    const second = b.artifact as Image;
    assert.notEqual(second.descriptor.digest, first.descriptor.digest);
    const d = (i: Image) => i.layers.map((l) => l.descriptor.digest);
    assert.deepEqual(d(second).slice(0, -1), d(first).slice(0, -1));
    assert.notEqual(d(second).at(-1), d(first).at(-1));
    assert.deepEqual(
      b.layers[0]?.map((l) => [l.name, l.cached]),
      [
        ['deps', true],
        ['app', false],
      ],
    );
  });

  it('progress: each layer written is announced with its bytes and then its size; a rebuild announces only what it writes', async () => {
    const dir = await express();
    const writes: string[] = [];
    const o = await options(dir);
    o.onEvent = (e) => {
      if (e.type === 'progress' && e.event.type === 'layer-write')
        writes.push(
          `${e.event.kind} ${e.event.event.type} ${e.event.event.type === 'write-start' ? e.event.event.bytes > 0 : e.event.event.size > 0}`,
        );
    };
    const b = await buildApp(o);
    assert.deepEqual(writes, [
      'deps write-start true',
      'deps write-done true',
      'app write-start true',
      'app write-done true',
    ]);
    assert.deepEqual(
      b.layers[0]?.map((l) => l.cached),
      [false, false],
    );
    writes.length = 0;
    await writeFile(join(dir, 'lib/util.js'), 'exports.x = 3');
    await buildApp(o);
    assert.deepEqual(writes, ['app write-start true', 'app write-done true']);
  });

  it('writable paths belong to the runtime user; files: lands with its mode and owner', async () => {
    const dir = await express();
    await writeFile(join(dir, 'app.ini'), 'x=1');
    await writeFile(
      join(dir, 'distill.yaml'),
      'writable: [/app/data]\nuser: "1000:1000"\nfiles:\n  - { source: app.ini, destination: /etc/app/app.ini, mode: "0600", owner: "1000" }\n',
    );
    const o = await options(dir);
    const img = (await buildApp(o)).artifact as Image;
    assert.equal(img.config.config?.User, '1000:1000');
    // distill audit reads the declared writable dirs from this label (read-only root checks).
    assert.equal(img.config.config?.Labels?.[WRITABLE_LABEL], '["/app/data"]');
    const tree = await imageTree(
      img.layers.map((layer) => ({ layer })),
      o.cache,
    );
    assert.deepEqual([tree.files.get('app/data')?.uid, tree.files.get('app/data')?.type], [1000, 'dir']);
    assert.equal(tree.files.get('app')?.uid, 0);
    const ini = tree.files.get('etc/app/app.ini');
    assert.deepEqual([ini?.mode, ini?.uid], [0o600, 1000]);
    assert.ok(!tree.files.has('app/distill.yaml'), "distill's own files stay out");
  });

  it('--frozen-lock: a missing or stale lock is an error; a current one builds', async () => {
    const dir = await express();
    const o = await options(dir, { frozen: true });
    await assert.rejects(buildApp(o), { code: 'LOCK_MISSING' });
    const b = await buildApp({ ...o, frozen: false });
    assert.ok(b.lockChanged);
    await writeAppLock(b.lockPath, b.lock);
    assert.equal((await buildApp(o)).artifact.descriptor.digest, b.artifact.descriptor.digest);
    await assert.rejects(buildApp({ ...o, flags: { ...o.flags, archs: ['amd64', 'arm64'] } }), {
      code: 'LOCK_STALE',
    });
  });

  it('no recognisable project → APP_NOT_RECOGNISED naming what was looked for', async () => {
    const dir = await project({ 'notes.txt': 'hello' });
    await code(buildApp(await options(dir)), 'APP_NOT_RECOGNISED', /package\.json/);
  });

  it('no detector but base + entrypoint in distill.yaml: the files as they are', async () => {
    const dir = await project({
      'run.js': 'console.log(1)',
      'data/x.txt': 'x',
      'distill.yaml': 'base: oci:fake\nentrypoint: ["/nodejs/bin/node", "/app/run.js"]\n',
    });
    const o = await options(dir, { flags: {} });
    const b = await buildApp(o);
    assert.equal(b.plan.kind, 'files');
    const img = b.artifact as Image;
    const tree = await imageTree(
      img.layers.map((layer) => ({ layer })),
      o.cache,
    );
    assert.ok(tree.files.has('app/run.js') && tree.files.has('app/data/x.txt'));
    assert.equal(img.config.config?.User, '65532');
  });

  it('a config with an unknown field or a wrong type → APP_CONFIG_INVALID with the line', async () => {
    const dir = await express();
    await writeFile(join(dir, 'distill.yaml'), 'base: nodejs22\nport: 8080\n');
    await code(buildApp(await options(dir)), 'APP_CONFIG_INVALID', /distill\.yaml:2: port: unknown field/);
    await writeFile(join(dir, 'distill.yaml'), 'env: [A=1]\n');
    await code(buildApp(await options(dir)), 'APP_CONFIG_INVALID', /distill\.yaml:1: env: must be object/);
  });

  it('an entrypoint missing from the image → APP_ENTRYPOINT_MISSING', async () => {
    const dir = await express();
    await code(
      buildApp(await options(dir, { flags: { base: 'oci:fake', entrypoint: ['/bin/sh', '-c'] } })),
      'APP_ENTRYPOINT_MISSING',
      /\/bin\/sh/,
    );
    await code(
      buildApp(await options(dir, { flags: { base: 'oci:fake', entrypoint: ['python3'] } })),
      'APP_ENTRYPOINT_MISSING',
      /looked in \/usr\/bin:\/bin/,
    );
    await writeFile(join(dir, '.dockerignore'), 'node_modules\nserver.js\n');
    await code(buildApp(await options(dir)), 'APP_ENTRYPOINT_MISSING', /\/app\/server\.js/);
  });

  it('the native checks see the final tree; packages they ask for are resolved (here: the archive is asked for)', async () => {
    const dir = await express();
    // The checks run when the app brings ELF files (here an N-API addon); without any they are skipped.
    await writeFile(join(dir, 'addon.node'), '\x7fELF napi_register_module_v1\0');
    const seen: NativeCheckInput[] = [];
    let asked = 0;
    await assert.rejects(
      buildApp(
        await options(dir, {
          checkNative: async (i) => {
            seen.push(i);
            return {
              addPackages: [{ name: 'libsqlite3-0', reason: 'provides libsqlite3.so.0' }],
              messages: [],
            };
          },
          archive: async () => {
            asked++;
            throw new Error('archive opened');
          },
        }),
      ),
      /archive opened/,
    );
    assert.equal(asked, 1);
    assert.ok(seen[0]?.files.has('nodejs/bin/node'));
    assert.equal(seen[0]?.arch, 'amd64');
    assert.deepEqual(
      seen[0]?.plan.elfFiles.map((f) => f.path),
      ['/app/addon.node'],
    );
    assert.equal((await seen[0]?.readFile('/app/server.js'))?.toString(), 'require("a")');
  });
});
