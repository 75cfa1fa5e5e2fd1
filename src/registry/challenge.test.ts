import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryAfterMs as parseRetryAfter } from '../platform/index.ts';
import { parseChallenges, pickChallenge } from './challenge.ts';
import { httpError } from './http-error.ts';

describe('WWW-Authenticate', () => {
  it('parses bearer with quoted params, commas and escapes', () => {
    const c = pickChallenge(
      'Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a/b:pull,push",error="insufficient_scope"',
    );
    assert.deepEqual(c, {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'reg.example',
        scope: 'repository:a/b:pull,push',
        error: 'insufficient_scope',
      },
    });
  });
  it('prefers bearer over basic and reads unquoted values', () => {
    const cs = parseChallenges('Basic realm=x, Bearer realm="r\\"q"');
    assert.equal(cs.length, 2);
    assert.equal(pickChallenge('Basic realm=x, Bearer realm="r\\"q"')?.params.realm, 'r"q');
    assert.equal(pickChallenge('Basic realm="Registry Realm"')?.scheme, 'basic');
    assert.equal(pickChallenge(null), undefined);
  });
});

describe('registry error bodies', () => {
  it('become codes and messages', () => {
    const e = httpError(
      'PUT manifest a:b',
      400,
      '{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:x"}]}',
    );
    assert.equal(e.code, 'REGISTRY_HTTP_ERROR');
    assert.match(e.message, /MANIFEST_BLOB_UNKNOWN: blob unknown to registry \[sha256:x\]/);
    assert.equal(e.retryable, false);
    assert.equal(httpError('x', 400, '{"errors":[{"code":"BLOB_UPLOAD_INVALID"}]}').retryable, true);
    assert.equal(httpError('x', 401, '', { authenticated: true }).code, 'REGISTRY_AUTH_FAILED');
    assert.equal(httpError('x', 401, '').code, 'REGISTRY_AUTH_REQUIRED');
    assert.equal(httpError('x', 404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}').code, 'REGISTRY_NOT_FOUND');
    assert.equal(httpError('x', 503, 'down').code, 'REGISTRY_UNAVAILABLE');
    assert.equal(httpError('x', 429, '', { retryAfter: '7' }).retryAfterMs, 7000);
  });
  it('Retry-After as seconds or a date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});
