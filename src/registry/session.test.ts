import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistryError } from './errors.ts';
import { staticKeychain } from './keychain.ts';
import { pullArtifact } from './pull.ts';
import { pushArtifact } from './push.ts';
import { RegistryHttp } from './registry-http.ts';
import { RegistrySession } from './session.ts';
import { FakeRegistry } from './testing/fake-registry.ts';
import { testImage } from './testing/images.ts';
import { fakeOptions as opts } from './testing/options.ts';

describe('session', () => {
  it('re-authenticates once when a token is refused mid-way (expired), with the scopes it needs', async () => {
    const reg = new FakeRegistry('127.0.0.1:5010', { type: 'token', users: { u: 'p' } });
    const keychain = staticKeychain({ [reg.host]: { username: 'u', password: 'p' } });
    const transport = new RegistryHttp({ fetch: reg.fetch, sleep: async () => {} });
    const img = testImage();
    await pushArtifact(img, `${reg.host}/app:1`, { transport, keychain });
    reg.expireTokens();
    const before = reg.count('GET', '/token');
    // The same transport and keychain, a new push: its cached session token is gone on the server.
    const session = new RegistrySession(reg.host, transport, keychain);
    const res = await session.request({ method: 'HEAD', url: `/v2/app/manifests/1`, what: 'head' }, [
      'repository:app:pull',
    ]);
    await res.discard();
    assert.equal(res.status, 200);
    reg.expireTokens();
    const again = await session.request({ method: 'HEAD', url: `/v2/app/manifests/1`, what: 'head' }, [
      'repository:app:pull',
    ]);
    await again.discard();
    assert.equal(again.status, 200);
    assert.equal(reg.count('GET', '/token') - before, 2, 'one token, then one more after the 401');
  });

  it('adds the scope a 401 challenge asks for', async () => {
    const reg = new FakeRegistry('127.0.0.1:5011', { type: 'token', users: { u: 'p' } });
    const keychain = staticKeychain({ [reg.host]: { username: 'u', password: 'p' } });
    await pushArtifact(testImage(), `${reg.host}/other:1`, { ...opts(reg), keychain });
    const session = new RegistrySession(reg.host, new RegistryHttp({ fetch: reg.fetch }), keychain);
    // Asked with no scope at all: the registry's challenge names repository:other:pull.
    const res = await session.request({ method: 'GET', url: '/v2/other/tags/list', what: 'tags' }, []);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(await res.text()), { name: 'other', tags: ['1'] });
    const last = reg.log.filter((l) => l.path.startsWith('/token')).at(-1);
    assert.match(last?.path ?? '', /scope=repository%3Aother%3Apull/);
  });

  it('refuses a token realm over plain http on a non-loopback host, and an https→http redirect', async () => {
    const reg = new FakeRegistry('127.0.0.1:5012');
    reg.intercept = (_req, url) =>
      url.pathname === '/v2/'
        ? new Response('{}', {
            status: 401,
            headers: { 'www-authenticate': 'Bearer realm="http://auth.example/token",service="x"' },
          })
        : undefined;
    await assert.rejects(
      pullArtifact(`${reg.host}/app:1`, opts(reg)),
      (e) => isRegistryError(e, 'REGISTRY_INSECURE_REFUSED') && /auth\.example/.test(e.message),
    );
    const t = new RegistryHttp({
      fetch: async () =>
        new Response(null, { status: 307, headers: { location: 'http://cdn.example/blob' } }),
    });
    await assert.rejects(
      t.request({ method: 'GET', url: new URL('https://reg.example/v2/a/blobs/x'), what: 'GET blob' }),
      (e) => isRegistryError(e, 'REGISTRY_INSECURE_REFUSED'),
    );
  });
});
