import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WRITABLE_LABEL } from '../assemble/index.ts';
import { auditTestImage } from './audit-testing.ts';
import { auditImage, auditJson, failsAt, seedPolicyViolations } from './index.ts';

const at = (r: { findings: readonly { id: string; path?: string }[] }, id: string) =>
  r.findings.filter((f) => f.id === id).map((f) => f.path ?? '');

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n';
const SA = JSON.stringify({
  type: 'service_account',
  project_id: 'p',
  private_key_id: 'k'.repeat(40),
  private_key: `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(1200)}\n-----END PRIVATE KEY-----\n`,
  client_email: 'x@p.iam.gserviceaccount.com',
});
const AWS_KEY = 'AKIAABCDEFGHIJKLMNOP';

describe('auditImage on a synthetic full-featured image', async () => {
  const image = await auditTestImage(
    [
      {
        'bin/': { dir: true },
        'bin/busybox': { content: 'BB', mode: 0o755 },
        'bin/sh': { link: 'busybox' },
        'bin/wget': { link: '/bin/busybox' },
        'usr/bin/bash': { content: 'x', mode: 0o755 },
        'usr/bin/apt-get': { content: 'x', mode: 0o755 },
        'usr/bin/pip3': { content: 'x', mode: 0o755 },
        'usr/bin/curl': { content: 'x', mode: 0o755 },
        'usr/bin/python3.13': { content: 'x', mode: 0o755 },
        'usr/bin/python3': { link: 'python3.13' },
        'usr/bin/perl': { content: 'x', mode: 0o755 },
        'usr/bin/su': { content: 'x', mode: 0o4755 },
        'usr/bin/chage': { content: 'x', mode: 0o2755, gid: 42 },
        'usr/share/doc/readme': 'not a program named sh',
        'tmp/': { dir: true, mode: 0o1777 },
        'var/tmp/': { dir: true, mode: 0o1777 },
        'var/tmp/scratch': { content: '', mode: 0o666 },
        'srv/open/': { dir: true, mode: 0o777 },
        'etc/app.conf': { content: 'x', mode: 0o666 },
        'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/sbin/nologin\n',
        'home/app/': { dir: true, uid: 1000, gid: 1000 },
        'app/': { dir: true },
        'app/data/': { dir: true, uid: 1000, gid: 1000 },
        'app/cache/': { dir: true, uid: 1000, gid: 1000 },
        'app/big.bin': 'x'.repeat(5000),
        'root/.ssh/id_rsa': PEM,
        'app/.env': 'DB_PASSWORD=hunter2\n',
        'app/.env.example': 'DB_PASSWORD=\n',
        'root/.aws/credentials': '[default]\naws_secret_access_key=abc\n',
        'root/.docker/config.json': JSON.stringify({ auths: { 'r.example': { auth: 'dTpw' } } }),
        'home/app/.docker/config.json': JSON.stringify({ auths: {} }),
        'root/.npmrc': '//npm.registry.example/:_authToken=npm_xxx\n',
        'home/app/.npmrc': 'registry=https://npm.registry.example/\n',
        'root/.git-credentials': 'https://u:p@example.com\n',
        'app/sa.json': SA,
      },
      { 'app/big.bin': 'y', 'app/.wh.gone.txt': '' },
    ],
    {
      User: 'app',
      Entrypoint: ['/usr/bin/python3', '/app/main.py'],
      Env: [
        'PATH=/usr/bin',
        `AWS_ACCESS_KEY_ID=${AWS_KEY}`,
        'API_TOKEN=s3cr3t-value',
        'GPG_KEY=ABCDEF',
        'HOME=/',
      ],
      Labels: { [WRITABLE_LABEL]: '["/app/data"]' },
    },
  );
  const r = await auditImage(image, { reference: 'test:full' });

  test('busybox is one shell finding, wherever its links are', () => {
    assert.deepEqual(at(r, 'DL-SHELL').sort(), ['/bin/busybox', '/usr/bin/bash']);
    const bb = r.findings.find((f) => f.path === '/bin/busybox');
    assert.match(bb?.title ?? '', /sh/);
    assert.equal(bb?.expected, undefined);
    assert.deepEqual(at(r, 'DL-NETWORK-TOOL'), ['/usr/bin/curl']);
  });

  test('package managers, and interpreters other than the entrypoint’s', () => {
    assert.deepEqual(at(r, 'DL-PACKAGE-MANAGER').sort(), ['/usr/bin/apt-get', '/usr/bin/pip3']);
    assert.deepEqual(at(r, 'DL-INTERPRETER'), ['/usr/bin/perl']);
  });

  test('setuid, setgid and world-writable (sticky and temp dirs excepted)', () => {
    assert.deepEqual(at(r, 'DL-SETUID'), ['/usr/bin/su']);
    assert.deepEqual(at(r, 'DL-SETGID'), ['/usr/bin/chage']);
    assert.deepEqual(at(r, 'DL-WORLD-WRITABLE').sort(), ['/etc/app.conf', '/srv/open']);
  });

  test('a named user resolves through /etc/passwd', () => {
    assert.deepEqual(r.user, { raw: 'app', uid: 1000, root: false, how: 'passwd' });
    assert.deepEqual(at(r, 'DL-USER-NAMED'), ['']);
    assert.deepEqual(at(r, 'DL-USER-ROOT'), []);
  });

  test('secret files, confirmed by content where the name is not enough', () => {
    assert.deepEqual(at(r, 'DL-SECRET-FILE').sort(), [
      '/app/.env',
      '/app/sa.json',
      '/root/.aws/credentials',
      '/root/.docker/config.json',
      '/root/.git-credentials',
      '/root/.npmrc',
      '/root/.ssh/id_rsa',
    ]);
  });

  test('secrets in ENV by name and by shape, never printed', () => {
    const env = r.findings.filter((f) => f.id === 'DL-SECRET-ENV');
    assert.deepEqual(env.map((f) => f.title.split('=')[0]).sort(), [
      'ENV API_TOKEN',
      'ENV AWS_ACCESS_KEY_ID',
    ]);
    const all = JSON.stringify(auditJson(r));
    assert.ok(!all.includes(AWS_KEY) && !all.includes('s3cr3t-value') && !all.includes('hunter2'));
  });

  test('hidden bytes: the replaced copy, counted once', () => {
    assert.equal(r.wastedBytes, 5000);
    assert.deepEqual(at(r, 'DL-HIDDEN-FILES'), ['/app/big.bin']);
  });

  test('read-only root: declared dirs need a volume; undeclared user-writable dirs fail the seed policy', () => {
    assert.deepEqual(at(r, 'DL-WRITABLE-DECLARED'), ['/app/data']);
    assert.deepEqual(at(r, 'DL-WRITABLE-UNDECLARED').sort(), ['/app/cache', '/srv/open']);
    assert.deepEqual(
      seedPolicyViolations(r).map((v) => v.split(' ')[0]),
      ['/app/cache', '/srv/open'],
    );
  });

  test('counts and --fail-on', () => {
    // The PEM key, the service-account key and the AWS key id in ENV.
    assert.equal(r.counts.critical, 3);
    assert.ok(failsAt(r, 'critical'));
    assert.equal(r.counts.high, r.findings.filter((f) => f.severity === 'high').length);
  });
});

test('a distroless debug image: busybox under /busybox is the one, expected, finding', async () => {
  const applets = ['sh', 'ash', 'wget', 'nc', 'ls'];
  const image = await auditTestImage(
    [
      {
        'etc/passwd':
          'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n',
      },
      {
        'busybox/': { dir: true },
        'busybox/busybox': { content: 'BB', mode: 0o755 },
        ...Object.fromEntries(applets.map((a) => [`busybox/${a}`, { link: '/busybox/busybox' }])),
      },
    ],
    { User: '65532', Entrypoint: ['/busybox/sh'] },
  );
  const r = await auditImage(image);
  assert.equal(r.debug, true);
  assert.deepEqual(
    r.findings.map((f) => [f.id, f.path, f.expected]),
    [['DL-SHELL', '/busybox/busybox', true]],
  );
  assert.equal(
    Object.values(r.counts).reduce((a, b) => a + b),
    0,
  );
  assert.equal(failsAt(r, 'info'), false);
  assert.deepEqual(seedPolicyViolations(r), []);
});
