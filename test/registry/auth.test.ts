/**
 * Authentication against the real registry: htpasswd Basic auth, and the bearer token flow with
 * the registry's `auth: token:` configuration and a token server the test runs. Credentials come
 * from a config.json written by `saveLogin` (as `docker login` writes it) in a temp DOCKER_CONFIG.
 */

import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REGISTRY_RETRY } from '../../src/platform/index.ts';
import {
  dockerKeychain,
  isRegistryError,
  nodeKeychainEnv,
  pullArtifact,
  pushArtifact,
  saveLogin,
  staticKeychain,
  verifyLogin,
} from '../../src/registry/index.ts';
import { requireTool, runOk, tempDir } from '../helpers/tools.ts';
import { smallImage } from './fixtures.ts';
import { startRegistry } from './registry-server.ts';
import { startTokenServer } from './token-server.ts';

const fast = { policy: { ...REGISTRY_RETRY, backoff: [50, 150] }, idleTimeoutMs: 5000 };

describe('registry auth against docker-registry', () => {
  it('htpasswd: push and pull with the credentials docker login would store; a wrong password is a clear error', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry') || !requireTool(t, 'htpasswd', 'apache2-utils'))
      return;
    const dir = await tempDir(t);
    const htpasswd = join(dir, 'htpasswd');
    await writeFile(htpasswd, runOk('htpasswd', ['-Bbn', 'alice', 'correct horse']));
    const reg = await startRegistry(t, { type: 'htpasswd', file: htpasswd });
    const env = nodeKeychainEnv({ DOCKER_CONFIG: join(dir, 'docker'), HOME: dir });
    await verifyLogin(reg.host, { ...fast, username: 'alice', password: 'correct horse' });
    await saveLogin(env, reg.host, 'alice', 'correct horse');
    const keychain = dockerKeychain(env);
    const img = await smallImage(dir);
    const r = await pushArtifact(img, `${reg.host}/auth/app:1`, { ...fast, keychain });
    assert.equal(r.digest, img.descriptor.digest);
    assert.equal(
      (await pullArtifact(`${reg.host}/auth/app:1`, { ...fast, keychain })).descriptor.digest,
      img.descriptor.digest,
    );

    const wrong = staticKeychain({ [reg.host]: { username: 'alice', password: 'battery staple' } });
    await assert.rejects(
      pushArtifact(await smallImage(dir), `${reg.host}/auth/app:2`, { ...fast, keychain: wrong }),
      (e) => isRegistryError(e, 'REGISTRY_AUTH_FAILED') && /check the user name and password/.test(e.message),
    );
    await assert.rejects(verifyLogin(reg.host, { ...fast, username: 'alice', password: 'nope' }), (e) =>
      isRegistryError(e, 'REGISTRY_AUTH_FAILED'),
    );
    await assert.rejects(pullArtifact(`${reg.host}/auth/app:1`, fast), (e) =>
      isRegistryError(e, 'REGISTRY_AUTH_REQUIRED'),
    );
    await assert.rejects(
      pullArtifact(`${reg.host}/auth/app:2`, { ...fast, keychain }),
      (e) => isRegistryError(e, 'REGISTRY_NOT_FOUND'),
      'the failed push left no tag',
    );
  });

  it('token: push (push scope first), pull, anonymous pull; a wrong password fails at the token server', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry') || !requireTool(t, 'openssl', 'openssl'))
      return;
    const dir = await tempDir(t);
    const ts = await startTokenServer(t, dir, { bob: 'hunter2' }, { anonymousPull: true });
    const reg = await startRegistry(t, { type: 'token', ...ts });
    const keychain = staticKeychain({ [reg.host]: { username: 'bob', password: 'hunter2' } });
    const base = await smallImage(dir);
    await pushArtifact(base, `${reg.host}/tok/base:1`, { ...fast, keychain });
    const app = await smallImage(dir, base.layers[0]);
    const r = await pushArtifact(app, `${reg.host}/tok/app:1`, {
      ...fast,
      keychain,
      mountFrom: ['tok/base'],
    });
    assert.equal(r.blobs.mounted, 1);
    const last = ts.requests.at(-1);
    assert.deepEqual(last?.scopes, ['repository:tok/app:push,pull', 'repository:tok/base:pull']);
    assert.equal(last?.user, 'bob');
    const anon = await pullArtifact(`${reg.host}/tok/app:1`, fast);
    assert.equal(anon.descriptor.digest, app.descriptor.digest);
    assert.equal(ts.requests.at(-1)?.user, '');
    await assert.rejects(pushArtifact(await smallImage(dir), `${reg.host}/tok/app:2`, fast), (e) =>
      isRegistryError(e, 'REGISTRY_AUTH_REQUIRED'),
    );
    await assert.rejects(
      pushArtifact(await smallImage(dir), `${reg.host}/tok/app:2`, {
        ...fast,
        keychain: staticKeychain({ [reg.host]: { username: 'bob', password: 'wrong' } }),
      }),
      (e) => isRegistryError(e, 'REGISTRY_AUTH_FAILED') && /token server/.test(e.message),
    );
  });

  it('credential helpers: credHelpers and credsStore run docker-credential-* processes (get and store)', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry') || !requireTool(t, 'htpasswd', 'apache2-utils'))
      return;
    const dir = await tempDir(t);
    const htpasswd = join(dir, 'htpasswd');
    await writeFile(htpasswd, runOk('htpasswd', ['-Bbn', 'helper-user', 'from helper']));
    const reg = await startRegistry(t, { type: 'htpasswd', file: htpasswd });
    const bin = join(dir, 'bin');
    const helper = join(bin, 'docker-credential-distilltest');
    await mkdir(bin, { recursive: true });
    await mkdir(join(dir, 'docker'), { recursive: true });
    await writeFile(
      helper,
      `#!/bin/sh
read server
case "$1" in
  get) if [ -f "${dir}/stored.json" ]; then cat "${dir}/stored.json"; else printf '{"ServerURL":"%s","Username":"helper-user","Secret":"from helper"}' "$server"; fi ;;
  store) echo "$server" > "${dir}/stored.json" ;;
  *) exit 1 ;;
esac
`,
    );
    await chmod(helper, 0o755);
    const env = nodeKeychainEnv({
      DOCKER_CONFIG: join(dir, 'docker'),
      HOME: dir,
      PATH: `${bin}:${process.env.PATH}`,
    });
    await writeFile(
      join(dir, 'docker', 'config.json'),
      JSON.stringify({ credHelpers: { [reg.host]: 'distilltest' } }),
    );
    const img = await smallImage(dir);
    await pushArtifact(img, `${reg.host}/helper/app:1`, { ...fast, keychain: dockerKeychain(env) });
    // credsStore: login stores through the helper and leaves an empty auths entry, as docker does.
    await writeFile(join(dir, 'docker', 'config.json'), JSON.stringify({ credsStore: 'distilltest' }));
    const where = await saveLogin(env, reg.host, 'helper-user', 'from helper');
    assert.equal(where, 'docker-credential-distilltest');
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'stored.json'), 'utf8')), {
      ServerURL: reg.host,
      Username: 'helper-user',
      Secret: 'from helper',
    });
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'docker', 'config.json'), 'utf8')), {
      credsStore: 'distilltest',
      auths: { [reg.host]: {} },
    });
    const pulled = await pullArtifact(`${reg.host}/helper/app:1`, { ...fast, keychain: dockerKeychain(env) });
    assert.equal(pulled.descriptor.digest, img.descriptor.digest);
  });
});
