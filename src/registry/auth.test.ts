import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistryError } from './errors.ts';
import { staticKeychain } from './keychain.ts';
import { pullArtifact } from './pull.ts';
import { pushArtifact } from './push.ts';
import { FakeRegistry } from './testing/fake-registry.ts';
import { testImage } from './testing/images.ts';
import { fakeOptions as opts } from './testing/options.ts';

describe('auth', () => {
  it('basic: works with the right password; a wrong one is REGISTRY_AUTH_FAILED, none REGISTRY_AUTH_REQUIRED', async () => {
    const reg = new FakeRegistry('127.0.0.1:5001', { type: 'basic', users: { alice: 's3cret' } });
    const img = testImage();
    const good = staticKeychain({ [reg.host]: { username: 'alice', password: 's3cret' } });
    await pushArtifact(img, `${reg.host}/app:1`, { ...opts(reg), keychain: good });
    assert.equal(reg.repo('app').tags.get('1'), img.descriptor.digest);
    const bad = staticKeychain({ [reg.host]: { username: 'alice', password: 'wrong' } });
    await assert.rejects(
      pushArtifact(testImage(), `${reg.host}/app:2`, { ...opts(reg), keychain: bad }),
      (e) => isRegistryError(e, 'REGISTRY_AUTH_FAILED') && /user name and password/.test(e.message),
    );
    await assert.rejects(pullArtifact(`${reg.host}/app:1`, opts(reg)), (e) =>
      isRegistryError(e, 'REGISTRY_AUTH_REQUIRED'),
    );
    assert.equal(reg.repo('app').tags.has('2'), false);
  });

  it('bearer: asks for the push scope first (and pull on mount sources), reuses the token', async () => {
    const reg = new FakeRegistry('127.0.0.1:5002', { type: 'token', users: { bob: 'pw' } });
    const keychain = staticKeychain({ [reg.host]: { username: 'bob', password: 'pw' } });
    await pushArtifact(testImage(), `${reg.host}/base:1`, { ...opts(reg), keychain });
    await pushArtifact(testImage(), `${reg.host}/team/app:1`, {
      ...opts(reg),
      keychain,
      mountFrom: ['base'],
    });
    const tokenGets = reg.log.filter((l) => l.path.startsWith('/token'));
    assert.equal(tokenGets.length, 2, 'one token per push');
    const q = new URL(`http://x${tokenGets[1]?.path}`).searchParams.getAll('scope');
    assert.deepEqual(q, ['repository:team/app:push,pull', 'repository:base:pull']);
    assert.ok(
      reg.log
        .filter((l) => l.path.startsWith('/v2/team'))
        .every((l) => l.authorization?.startsWith('Bearer ')),
    );
  });

  it('bearer: wrong password is REGISTRY_AUTH_FAILED from the token server; anonymous pull works when allowed', async () => {
    const reg = new FakeRegistry('127.0.0.1:5003', {
      type: 'token',
      users: { bob: 'pw' },
      anonymousPull: true,
    });
    const img = testImage();
    await pushArtifact(img, `${reg.host}/app:1`, {
      ...opts(reg),
      keychain: staticKeychain({ [reg.host]: { username: 'bob', password: 'pw' } }),
    });
    await assert.rejects(
      pushArtifact(img, `${reg.host}/app:2`, {
        ...opts(reg),
        keychain: staticKeychain({ [reg.host]: { username: 'bob', password: 'no' } }),
      }),
      (e) => isRegistryError(e, 'REGISTRY_AUTH_FAILED') && /token server/.test(e.message),
    );
    const pulled = await pullArtifact(`${reg.host}/app:1`, opts(reg));
    assert.equal(pulled.descriptor.digest, img.descriptor.digest);
    await assert.rejects(pushArtifact(testImage(), `${reg.host}/app:3`, opts(reg)), (e) =>
      isRegistryError(e, 'REGISTRY_AUTH_REQUIRED'),
    );
  });

  it('bearer: an identity token is exchanged with a refresh_token POST', async () => {
    const reg = new FakeRegistry('127.0.0.1:5004', {
      type: 'token',
      users: {},
      refreshTokens: { 'rt-1': 'carol' },
    });
    await pushArtifact(testImage(), `${reg.host}/app:1`, {
      ...opts(reg),
      keychain: staticKeychain({ [reg.host]: { identityToken: 'rt-1' } }),
    });
    assert.equal(reg.count('POST', '/token'), 1);
    assert.equal(reg.count('GET', '/token'), 0);
  });

  it('bearer: a token server without the OAuth2 POST (404) gets a GET instead', async () => {
    const reg = new FakeRegistry('127.0.0.1:5006', { type: 'token', users: { dave: 'pw' } });
    reg.intercept = (req, url) =>
      req.method === 'POST' && url.pathname === '/token' ? new Response('', { status: 404 }) : undefined;
    await pushArtifact(testImage(), `${reg.host}/app:1`, {
      ...opts(reg),
      keychain: staticKeychain({
        [reg.host]: { username: 'dave', password: 'pw', identityToken: 'unknown-here' },
      }),
    });
    assert.equal(reg.count('POST', '/token'), 1);
    assert.equal(reg.count('GET', '/token'), 1);
    assert.ok(reg.repo('app').tags.has('1'));
  });

  it('never sends Authorization to another host on a redirect', async () => {
    const reg = new FakeRegistry('127.0.0.1:5005', { type: 'basic', users: { u: 'p' } });
    const keychain = staticKeychain({ [reg.host]: { username: 'u', password: 'p' } });
    const img = testImage();
    await pushArtifact(img, `${reg.host}/app:1`, { ...opts(reg), keychain });
    const cdnSeen: (string | null)[] = [];
    const layer = img.layers[0]?.descriptor.digest as string;
    reg.intercept = (req, url) =>
      req.method === 'GET' && url.pathname.endsWith(`/blobs/${layer}`)
        ? new Response(null, { status: 307, headers: { location: `http://127.0.0.2:9/blob/${layer}` } })
        : undefined;
    const fetchBoth = async (input: string | URL | Request, init?: RequestInit) => {
      const req = new Request(input, init);
      if (new URL(req.url).host === '127.0.0.2:9') {
        cdnSeen.push(req.headers.get('authorization'));
        return new Response(new Uint8Array(reg.blobs.get(layer) as Buffer));
      }
      return reg.fetch(req);
    };
    const pulled = await pullArtifact(`${reg.host}/app:1`, { ...opts(reg), keychain, fetch: fetchBoth });
    assert.equal(pulled.kind, 'image');
    if (pulled.kind === 'image')
      for await (const _ of await (pulled.layers[0] as { open(): Promise<AsyncIterable<unknown>> }).open());
    assert.deepEqual(cdnSeen, [null]);
    assert.ok(reg.log.some((l) => l.path.endsWith(layer) && l.authorization?.startsWith('Basic ')));
  });

  it('speaks https only to a non-loopback host unless it is named insecure', async () => {
    const reg = new FakeRegistry('reg.example:5000');
    await assert.rejects(pushArtifact(testImage(), 'reg.example:5000/app:1', opts(reg)), (e) =>
      isRegistryError(e, 'REGISTRY_NETWORK'),
    );
    assert.equal(reg.log.length, 0, 'no plain http request was made');
    await pushArtifact(testImage(), 'reg.example:5000/app:1', {
      ...opts(reg),
      insecureRegistries: ['reg.example:5000'],
    });
    assert.ok(reg.repo('app').tags.has('1'));
  });
});
