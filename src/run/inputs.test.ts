import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { checkArch, checkRootless, findRunc, hostArch } from './host.ts';
import { checkName, parseEnv, parseNetwork, parseVolume } from './options.ts';
import { chainIds } from './rootfs.ts';
import { withTransport } from './run.ts';
import { resolveProcessUser } from './user.ts';

const PASSWD =
  'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\napp:x:1000:1000::/app:/sbin/nologin\napp:x:0:0::/:/x\n';
const GROUP = 'root:x:0:\ntty:x:5:\nstaff:x:50:app,other\nnonroot:x:65532:\napp:x:1000:\n';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};

describe('resolveProcessUser (the image User through its own passwd and group)', () => {
  it('names, numbers, groups and supplementary groups', () => {
    assert.deepEqual(resolveProcessUser('nonroot', PASSWD, GROUP), {
      uid: 65532,
      gid: 65532,
      additionalGids: [],
      home: '/home/nonroot',
    });
    assert.deepEqual(resolveProcessUser('65532', PASSWD, GROUP), {
      uid: 65532,
      gid: 65532,
      additionalGids: [],
      home: '/home/nonroot',
    });
    // The first line of a name wins (as runc reads it): app is 1000, not 0.
    assert.deepEqual(resolveProcessUser('app', PASSWD, GROUP), {
      uid: 1000,
      gid: 1000,
      additionalGids: [50],
      home: '/app',
    });
    assert.deepEqual(resolveProcessUser('app:staff', PASSWD, GROUP).gid, 50);
    assert.deepEqual(resolveProcessUser('1000:5', PASSWD, GROUP).gid, 5);
    assert.deepEqual(resolveProcessUser('4242', PASSWD, GROUP), {
      uid: 4242,
      gid: 0,
      additionalGids: [],
      home: '/',
    });
    assert.equal(resolveProcessUser(undefined, PASSWD, GROUP).uid, 0);
    assert.equal(resolveProcessUser('', '', '').uid, 0);
  });

  it('RUN_USER_UNKNOWN for a name the image does not have', () => {
    assert.equal(
      code(() => resolveProcessUser('ghost', PASSWD, GROUP)),
      'RUN_USER_UNKNOWN',
    );
    assert.equal(
      code(() => resolveProcessUser('app:ghosts', PASSWD, GROUP)),
      'RUN_USER_UNKNOWN',
    );
  });
});

describe('run options', () => {
  it('--volume SRC:DST[:ro|rw]', () => {
    assert.deepEqual(parseVolume('data:/data:ro', '/srv'), {
      source: '/srv/data',
      destination: '/data',
      readonly: true,
    });
    assert.deepEqual(parseVolume('/a:/b/', '/'), { source: '/a', destination: '/b', readonly: false });
    assert.deepEqual(parseVolume('/a:/b:rw', '/').readonly, false);
    for (const bad of ['/a', '/a:b', '/a:/b:rx', ':/b', '/a:', '/a:/b:ro:x', '/a:/b/../etc'])
      assert.equal(
        code(() => parseVolume(bad, '/')),
        'RUN_VOLUME_INVALID',
        bad,
      );
  });
  it('--env, --network, --name', () => {
    assert.equal(parseEnv('A=b=c'), 'A=b=c');
    assert.equal(parseEnv('HOME_X', { HOME_X: '/h' }), 'HOME_X=/h');
    assert.equal(
      code(() => parseEnv('=x')),
      'RUN_ENV_INVALID',
    );
    assert.equal(
      code(() => parseEnv('UNSET_X', {})),
      'RUN_ENV_INVALID',
    );
    assert.equal(parseNetwork(undefined), 'none');
    assert.equal(parseNetwork('host'), 'host');
    assert.equal(
      code(() => parseNetwork('bridge')),
      'RUN_NETWORK_INVALID',
    );
    assert.equal(checkName('web-1.a_b'), 'web-1.a_b');
    for (const bad of ['', '-x', 'a/b', '../x', 'a b'])
      assert.equal(
        code(() => checkName(bad)),
        'RUN_NAME_INVALID',
        bad,
      );
  });
  it('chainIds follow the OCI image spec', () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    const [c0, c1] = chainIds([a, b]);
    assert.equal(c0, a);
    // `printf '%s %s' A B | sha256sum`.
    assert.equal(c1, 'sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c');
  });
});

describe('what the host offers', () => {
  it('checkArch: the host arch runs; a foreign one only through an enabled binfmt handler (else the qemu hint)', () => {
    const binfmt = mkdtempSync(join(tmpdir(), 'distill-binfmt-'));
    const foreign = hostArch() === 'arm64' ? 'amd64' : 'arm64';
    const handler = foreign === 'arm64' ? 'qemu-aarch64' : 'qemu-x86_64';
    checkArch(hostArch(), 'img', binfmt);
    assert.equal(
      code(() => checkArch(foreign, 'img', binfmt)),
      'RUN_ARCH_UNSUPPORTED',
    );
    writeFileSync(join(binfmt, handler), 'disabled\ninterpreter /usr/libexec/qemu-binfmt/x\n');
    assert.equal(
      code(() => checkArch(foreign, 'img', binfmt)),
      'RUN_ARCH_UNSUPPORTED',
    );
    try {
      checkArch(foreign, 'img', binfmt);
    } catch (e) {
      assert.match((e as Error).message, new RegExp(`qemu-user-static.*update-binfmts --enable ${handler}`));
    }
    writeFileSync(join(binfmt, handler), 'enabled\ninterpreter /usr/libexec/qemu-binfmt/x\n');
    checkArch(foreign, 'img', binfmt);
    assert.equal(
      code(() => checkArch('mips64le', 'img', binfmt)),
      'RUN_ARCH_UNSUPPORTED',
    );
  });

  it('findRunc: on PATH, else RUNC_NOT_FOUND saying what to install; checkRootless reads the sysctls', () => {
    const d = mkdtempSync(join(tmpdir(), 'distill-runc-'));
    writeFileSync(join(d, 'runc'), '#!/bin/sh\n');
    chmodSync(join(d, 'runc'), 0o755);
    assert.equal(findRunc(undefined, { PATH: `/nonexistent:${d}` }), join(d, 'runc'));
    assert.equal(
      code(() => findRunc(undefined, { PATH: '/nonexistent' })),
      'RUNC_NOT_FOUND',
    );
    try {
      findRunc(undefined, { PATH: '/nonexistent' });
    } catch (e) {
      assert.match((e as Error).message, /apt-get install runc/);
    }
    const sys = join(d, 'sys');
    mkdirSync(join(sys, 'user'), { recursive: true });
    mkdirSync(join(sys, 'kernel'));
    writeFileSync(join(sys, 'user', 'max_user_namespaces'), '15000\n');
    checkRootless(sys);
    writeFileSync(join(sys, 'kernel', 'unprivileged_userns_clone'), '0\n');
    assert.equal(
      code(() => checkRootless(sys)),
      'RUN_ROOTLESS_UNAVAILABLE',
    );
  });
});

test('a bare image reference: a layout directory, unless none exists and it names a registry host', () => {
  const none = () => false;
  assert.equal(withTransport('out/app', none), 'oci:out/app');
  assert.equal(withTransport('out/app:v1', none), 'oci:out/app:v1');
  assert.equal(withTransport('registry.example/app:1', none), 'docker://registry.example/app:1');
  assert.equal(withTransport('127.0.0.1:5000/app', none), 'docker://127.0.0.1:5000/app');
  assert.equal(withTransport('localhost/app@sha256:abc', none), 'docker://localhost/app@sha256:abc');
  // A directory of that name wins (as `oci:` would read it), with or without a tag.
  assert.equal(
    withTransport('registry.example/app:1', (p) => p === 'registry.example/app'),
    'oci:registry.example/app:1',
  );
  assert.equal(withTransport('docker-archive:a.tar', none), 'docker-archive:a.tar');
});
