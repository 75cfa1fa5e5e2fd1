/**
 * A hostile project must not copy host files into an image: distill.yaml `files:` through a
 * symlinked folder, lockfile keys with `..`, node_modules links out of the project, a venv or
 * sitePackages leading out. Each case checks the code, that no byte of the host's secret is in
 * anything the build wrote (every layer blob in the cache, decompressed), and that the host's
 * folder is untouched. Also: non-UTF-8 names, a YAML alias bomb, an --output inside the project.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Image } from '../../oci/index.ts';
import { findSitePackages } from '../detect/python/deps.ts';
import { buildApp } from './build.ts';
import { code, express, json, options, project, temp } from './build-testing.ts';
import { imageTree } from './image-files.ts';

const SECRET = 'HOST-SECRET-7f3a';

/** A folder outside the project holding secrets, as ~/.ssh would. */
async function hostSecrets(): Promise<string> {
  const d = await temp('distill-host-');
  await writeFile(join(d, 'id_rsa'), `-----BEGIN ${SECRET}-----\n`);
  await writeFile(join(d, '.env'), `TOKEN=${SECRET}\n`);
  await writeFile(join(d, 'package.json'), json({ name: 'victim', secret: SECRET }));
  return d;
}

async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

/** True when any file below `dir` holds the secret, plain or gzip-compressed. */
async function leaked(dir: string): Promise<boolean> {
  for (const f of await filesBelow(dir)) {
    let b = await readFile(f);
    if (b[0] === 0x1f && b[1] === 0x8b) b = gunzipSync(b);
    if (b.includes(SECRET)) return true;
  }
  return false;
}

async function snapshot(dir: string): Promise<string> {
  const files = await filesBelow(dir);
  const parts = await Promise.all(files.sort().map(async (f) => `${f}:${(await stat(f)).size}`));
  return parts.join('\n');
}

async function tree(img: Image, o: Awaited<ReturnType<typeof options>>) {
  return imageTree(
    img.layers.map((layer) => ({ layer })),
    o.cache,
  );
}

describe('no host file leaks into an image', () => {
  it('files: a symlinked folder with a trailing / (ln -s ~/.ssh k; source: "k/") is APP_PATH_ESCAPE', async () => {
    const host = await hostSecrets();
    const before = await snapshot(host);
    for (const source of ['k/', 'k/id_rsa', './k/', 'sub/../k/.env']) {
      const dir = await express();
      await symlink(host, join(dir, 'k'));
      await mkdir(join(dir, 'sub'));
      await writeFile(join(dir, 'distill.yaml'), `files:\n  - { source: "${source}", destination: /keys }\n`);
      const o = await options(dir);
      await code(buildApp(o), 'APP_PATH_ESCAPE', /leads out of the project|outside the project/);
      assert.equal(await leaked(o.cache.root), false, `${source}: nothing of the host in the cache`);
    }
    assert.equal(await snapshot(host), before, 'the host folder is untouched');
  });

  it('files: `..` and absolute sources are APP_PATH_ESCAPE', async () => {
    for (const source of ['../x', '/etc/passwd']) {
      const dir = await express();
      await writeFile(join(dir, 'distill.yaml'), `files:\n  - { source: "${source}", destination: /x }\n`);
      await code(buildApp(await options(dir)), 'APP_PATH_ESCAPE');
    }
  });

  it('files: a symlink without a trailing / is copied as a symlink, never followed', async () => {
    const host = await hostSecrets();
    const dir = await express();
    await symlink(host, join(dir, 'k'));
    await mkdir(join(dir, 'real'));
    await writeFile(join(dir, 'real', 'conf.ini'), 'inside=1\n');
    await symlink('real', join(dir, 'alias'));
    await writeFile(
      join(dir, 'distill.yaml'),
      'files:\n  - { source: k, destination: /etc/k }\n  - { source: "alias/", destination: /etc/conf }\n',
    );
    const o = await options(dir);
    const img = (await buildApp(o)).artifact as Image;
    const t = await tree(img, o);
    assert.equal(t.files.get('etc/k')?.type, 'symlink');
    assert.equal(
      t.files.get('etc/conf/conf.ini')?.type,
      'file',
      'a symlink inside the project is followed with /',
    );
    assert.equal(await leaked(o.cache.root), false);
  });

  it('a lockfile key node_modules/../../victim is APP_PATH_ESCAPE naming the key', async () => {
    const host = await hostSecrets();
    const dir = await project({
      'package.json': json({ name: 'web', main: 'server.js', dependencies: { a: '1' } }),
      'package-lock.json': json({
        lockfileVersion: 3,
        packages: { '': {}, [`node_modules/../../${host.split('/').pop()}`]: { version: '1.0.0' } },
      }),
      'server.js': '',
    });
    const o = await options(dir);
    await code(buildApp(o), 'APP_PATH_ESCAPE', /node_modules\/\.\.\/\.\./);
    assert.equal(await leaked(o.cache.root), false);
  });

  it('a node_modules/<pkg> symlink to a folder outside the project is APP_PATH_ESCAPE naming the package', async () => {
    const host = await hostSecrets();
    const dir = await project({
      'package.json': json({ name: 'web', main: 'server.js', dependencies: { a: '1' } }),
      'package-lock.json': json({
        lockfileVersion: 3,
        packages: { '': {}, 'node_modules/a': { version: '1.0.0' } },
      }),
      'server.js': '',
    });
    await mkdir(join(dir, 'node_modules'));
    await symlink(host, join(dir, 'node_modules', 'a'));
    const o = await options(dir);
    await code(buildApp(o), 'APP_PATH_ESCAPE', /node_modules\/a/);
    assert.equal(await leaked(o.cache.root), false);
  });

  it('workspace links inside the project stay links; one out of the project is APP_PATH_ESCAPE', async () => {
    const lock = json({
      lockfileVersion: 3,
      packages: {
        '': {},
        'node_modules/w': { resolved: 'packages/w', link: true },
        'packages/w': { version: '1.0.0' },
      },
    });
    const dir = await project({
      'package.json': json({ name: 'web', main: 'server.js', dependencies: { w: '1' } }),
      'package-lock.json': lock,
      'server.js': '',
      'packages/w/package.json': '{}',
    });
    await mkdir(join(dir, 'node_modules'));
    await symlink('../packages/w', join(dir, 'node_modules', 'w'));
    const o = await options(dir);
    const t = await tree((await buildApp(o)).artifact as Image, o);
    assert.equal(t.files.get('app/node_modules/w')?.type, 'symlink');

    const host = await hostSecrets();
    const out = await project({
      'package.json': json({ name: 'web', main: 'server.js', dependencies: { w: '1' } }),
      'package-lock.json': lock,
      'server.js': '',
    });
    await mkdir(join(out, 'node_modules'));
    await symlink(host, join(out, 'node_modules', 'w'));
    const o2 = await options(out);
    await code(buildApp(o2), 'APP_PATH_ESCAPE', /node_modules\/w/);
    assert.equal(await leaked(o2.cache.root), false);
  });

  it('sitePackages: absolute in distill.yaml is APP_CONFIG_INVALID; a venv or folder leading out is APP_PATH_ESCAPE', async () => {
    const host = await hostSecrets();
    const dir = await express();
    await writeFile(join(dir, 'distill.yaml'), `sitePackages: ${host}\n`);
    await code(buildApp(await options(dir)), 'APP_CONFIG_INVALID', /inside the project/);

    const py = await temp('distill-py-');
    await symlink(host, join(py, 'deps'));
    await assert.rejects(findSitePackages(py, 'deps'), { code: 'APP_PATH_ESCAPE' });
    await mkdir(join(host, 'lib', 'python3.13', 'site-packages'), { recursive: true });
    await symlink(host, join(py, '.venv'));
    await assert.rejects(findSitePackages(py, undefined), { code: 'APP_PATH_ESCAPE' });
  });
});

describe('project oddities', () => {
  it('a non-UTF-8 file name: left out when ignored, else APP_PATH_INVALID naming its bytes', async () => {
    const dir = await express();
    const bad = Buffer.concat([Buffer.from(`${dir}/lib/caf`), Buffer.from([0xe9]), Buffer.from('.js')]);
    await writeFile(bad, 'x');
    await code(
      buildApp(await options(dir)),
      'APP_PATH_INVALID',
      /lib\/caf\\xe9\.js: the file name is not UTF-8/,
    );
    await writeFile(join(dir, '.distillignore'), 'lib/caf*\n');
    const o = await options(dir);
    const t = await tree((await buildApp(o)).artifact as Image, o);
    assert.ok(t.files.has('app/lib/util.js'));
    assert.ok(![...t.files.keys()].some((p) => p.includes('caf')));
  });

  it('a YAML alias bomb in distill.yaml is APP_CONFIG_INVALID, not INTERNAL', async () => {
    const dir = await express();
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    await writeFile(join(dir, 'distill.yaml'), `${lines.join('\n')}\n`);
    await code(buildApp(await options(dir)), 'APP_CONFIG_INVALID', /alias/i);
  });

  it('an --output inside the project is left out of the image, with a warning', async () => {
    const dir = await express();
    await mkdir(join(dir, 'out', 'blobs'), { recursive: true });
    await writeFile(join(dir, 'out', 'blobs', 'big'), 'previous image');
    await writeFile(join(dir, 'app.tar'), 'previous archive');
    const o = await options(dir);
    const b = await buildApp({ ...o, outputs: [join(dir, 'out'), join(dir, 'app.tar'), '/elsewhere/x'] });
    const t = await tree(b.artifact as Image, o);
    assert.ok(!t.files.has('app/out'));
    assert.ok(!t.files.has('app/app.tar'));
    assert.ok(t.files.has('app/server.js'));
    assert.equal(b.warnings.filter((w) => /inside the project: left out/.test(w)).length, 2);
  });
});
