import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isRegistryError } from './errors.ts';
import { dockerKeychain, type HelperResult, type KeychainEnv } from './keychain.ts';
import { saveLogin } from './login.ts';
import { nodeKeychainEnv } from './node-env.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function fakeEnv(
  files: Record<string, unknown>,
  env: Record<string, string> = {},
  helpers: Record<string, (action: string, input: string) => HelperResult> = {},
): KeychainEnv & { calls: string[] } {
  const calls: string[] = [];
  return {
    env,
    homedir: '/home/u',
    calls,
    readFile: async (p) =>
      p in files
        ? typeof files[p] === 'string'
          ? (files[p] as string)
          : JSON.stringify(files[p])
        : undefined,
    runHelper: async (h, action, input) => {
      calls.push(`${h} ${action} ${input}`);
      const f = helpers[h];
      if (!f) throw Object.assign(new Error(`spawn docker-credential-${h} ENOENT`), { code: 'ENOENT' });
      return f(action, input);
    },
  };
}

describe('keychain', () => {
  it('reads auths (base64 auth, any key form), with Docker Hub under its v1 URL', async () => {
    const e = fakeEnv({
      '/home/u/.docker/config.json': {
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hub:pw') },
          'http://reg.example:5000': { auth: b64('r:p:with:colons') },
          'tok.example': { identitytoken: 'refresh-1' },
        },
      },
    });
    const k = dockerKeychain(e);
    assert.deepEqual(await k.resolve('docker.io'), { username: 'hub', password: 'pw' });
    assert.deepEqual(await k.resolve('reg.example:5000'), { username: 'r', password: 'p:with:colons' });
    assert.deepEqual(await k.resolve('tok.example'), { identityToken: 'refresh-1' });
    assert.equal(await k.resolve('other.example'), undefined);
  });

  it('uses $DOCKER_CONFIG, credHelpers before credsStore before auths, and <token> as identity token', async () => {
    const e = fakeEnv(
      {
        '/cfg/config.json': {
          credHelpers: { 'ecr.example': 'ecr' },
          credsStore: 'desktop',
          auths: { 'plain.example': { auth: b64('a:b') }, 'gone.example': { auth: b64('c:d') } },
        },
      },
      { DOCKER_CONFIG: '/cfg' },
      {
        ecr: () => ({ code: 0, stdout: '{"Username":"<token>","Secret":"idt"}', stderr: '' }),
        desktop: (_a, input) =>
          input === 'plain.example'
            ? { code: 0, stdout: '{"Username":"store","Secret":"sp"}', stderr: '' }
            : { code: 1, stdout: 'credentials not found in native keychain', stderr: '' },
      },
    );
    const k = dockerKeychain(e);
    assert.deepEqual(await k.resolve('ecr.example'), { identityToken: 'idt' });
    assert.deepEqual(await k.resolve('plain.example'), { username: 'store', password: 'sp' });
    assert.deepEqual(await k.resolve('gone.example'), { username: 'c', password: 'd' });
    assert.deepEqual(e.calls, [
      'ecr get ecr.example',
      'desktop get plain.example',
      'desktop get gone.example',
    ]);
  });

  it('falls through to containers auth.json (REGISTRY_AUTH_FILE, XDG paths), repository-scoped keys first', async () => {
    const e = fakeEnv(
      {
        '/run/user/1/containers/auth.json': {
          auths: { 'quay.example/team': { auth: b64('team:t') }, 'quay.example': { auth: b64('any:a') } },
        },
      },
      { XDG_RUNTIME_DIR: '/run/user/1' },
    );
    const k = dockerKeychain(e);
    assert.deepEqual(await k.resolve('quay.example', 'team/app'), { username: 'team', password: 't' });
    assert.deepEqual(await k.resolve('quay.example', 'other/app'), { username: 'any', password: 'a' });
  });

  it('a broken config or a missing helper is a clear error', async () => {
    await assert.rejects(
      dockerKeychain(fakeEnv({ '/home/u/.docker/config.json': '{nope' })).resolve('x.example'),
      (e) =>
        isRegistryError(e, 'REGISTRY_CONFIG_INVALID') && e.message.includes('/home/u/.docker/config.json'),
    );
    await assert.rejects(
      dockerKeychain(
        fakeEnv({ '/home/u/.docker/config.json': { credHelpers: { 'x.example': 'nothere' } } }),
      ).resolve('x.example'),
      (e) =>
        isRegistryError(e, 'REGISTRY_CREDENTIAL_HELPER_FAILED') &&
        /docker-credential-nothere/.test(e.message),
    );
  });

  it('saveLogin writes config.json as docker login does, keeping other keys; 0600', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-login-'));
    const env = nodeKeychainEnv({ DOCKER_CONFIG: dir, HOME: dir });
    const where = await saveLogin(env, '127.0.0.1:5000', 'alice', 'pw');
    assert.equal(where, join(dir, 'config.json'));
    const j = JSON.parse(await readFile(where, 'utf8'));
    assert.deepEqual(j, { auths: { '127.0.0.1:5000': { auth: b64('alice:pw') } } });
    assert.equal((await stat(where)).mode & 0o777, 0o600);
    await saveLogin(env, 'docker.io', 'hub', 'x');
    const j2 = JSON.parse(await readFile(where, 'utf8'));
    assert.deepEqual(Object.keys(j2.auths).sort(), ['127.0.0.1:5000', 'https://index.docker.io/v1/']);
    assert.deepEqual(await dockerKeychain(env).resolve('127.0.0.1:5000'), {
      username: 'alice',
      password: 'pw',
    });
  });

  it('saveLogin writes through a symlinked config.json: the link stays, its target gets the credentials and keeps its mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-login-'));
    const dots = join(dir, 'dotfiles');
    await mkdir(dots);
    await writeFile(join(dots, 'docker.json'), '{"credsStore":"","auths":{},"proxies":{"x":1}}', {
      mode: 0o640,
    });
    await chmod(join(dots, 'docker.json'), 0o640);
    const conf = join(dir, 'docker');
    await mkdir(conf);
    await symlink(join(dots, 'docker.json'), join(conf, 'config.json'));
    const env = nodeKeychainEnv({ DOCKER_CONFIG: conf, HOME: dir });
    await saveLogin(env, '127.0.0.1:5000', 'alice', 'pw');
    assert.ok((await lstat(join(conf, 'config.json'))).isSymbolicLink(), 'still a symlink');
    const j = JSON.parse(await readFile(join(dots, 'docker.json'), 'utf8'));
    assert.deepEqual(j.proxies, { x: 1 });
    assert.equal(j.auths['127.0.0.1:5000'].auth, b64('alice:pw'));
    assert.equal((await stat(join(dots, 'docker.json'))).mode & 0o777, 0o640);
    assert.deepEqual((await readdir(dots)).sort(), ['docker.json'], 'no temporary file left');
  });
});
