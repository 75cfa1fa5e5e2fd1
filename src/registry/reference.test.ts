import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopback, isPrivateAddress, schemesFor } from './endpoint.ts';
import { isRegistryError } from './errors.ts';
import { formatReference, parseReference } from './reference.ts';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  const cases: [string, string][] = [
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['index.docker.io/foo/bar:1', 'docker.io/foo/bar:1'],
    ['foo/bar', 'docker.io/foo/bar:latest'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app:v1', 'localhost:5000/app:v1'],
    ['127.0.0.1:5000/a/b/c:x', '127.0.0.1:5000/a/b/c:x'],
    [`reg.example:443/app@${D}`, `reg.example:443/app@${D}`],
    [`reg.example/app:t@${D}`, `reg.example/app:t@${D}`],
    ['docker://reg.example/app', 'reg.example/app:latest'],
    ['[::1]:5000/app', '[::1]:5000/app:latest'],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => assert.equal(formatReference(parseReference(input)), want));
  }
  for (const bad of [
    '',
    'UPPER',
    'reg.example/App',
    'a:b:c',
    'app@sha256:abc',
    'reg.example/',
    'a//b',
    `app:${'x'.repeat(200)}`,
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      assert.throws(
        () => parseReference(bad),
        (e) => isRegistryError(e, 'REGISTRY_REF_INVALID'),
      ));
  }
});

describe('endpoint', () => {
  it('loopback and localhost speak http first; others https only unless insecure', () => {
    assert.ok(
      isLoopback('127.0.0.1:5000') &&
        isLoopback('localhost') &&
        isLoopback('x.localhost:1') &&
        isLoopback('[::1]:5'),
    );
    assert.ok(!isLoopback('10.0.0.1:5000'));
    assert.deepEqual(schemesFor('127.0.0.1:5000'), ['http', 'https']);
    assert.deepEqual(schemesFor('reg.example'), ['https']);
    assert.deepEqual(schemesFor('reg.example:5000', ['reg.example']), ['https', 'http']);
    assert.ok(
      isPrivateAddress('10.1.2.3:80') &&
        isPrivateAddress('192.168.0.1') &&
        isPrivateAddress('[fd00::1]:5000'),
    );
    assert.ok(
      !isPrivateAddress('8.8.8.8') && !isPrivateAddress('reg.example') && !isPrivateAddress('172.32.0.1'),
    );
  });
});
