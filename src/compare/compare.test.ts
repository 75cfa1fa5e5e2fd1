import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../scan/index.ts';
import { ALPINE, entriesImage } from './compare-testing.ts';
import { compareRow, compareText, formatSize } from './index.ts';

const GLIBC_TRIXIE = {
  'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\nVERSION_ID="13"\n',
  bin: { link: 'usr/bin' },
  lib64: { link: 'usr/lib64' },
  'usr/lib64/ld-linux-x86-64.so.2': { link: '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
  'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': 'ELF',
  'usr/lib/x86_64-linux-gnu/libc.so.6': 'ELF',
  'usr/bin/dash': 'ELF',
  'usr/bin/sh': { link: 'dash' },
  'usr/bin/bash': 'ELF',
  'usr/bin/rbash': { link: 'bash' },
  'usr/bin/apt': 'ELF',
  'usr/bin/dpkg': 'ELF',
  'usr/bin/su': { content: 'ELF', mode: 0o4755 },
  'usr/bin/chage': { content: 'ELF', mode: 0o2755 },
  'etc/passwd':
    'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
} as const;

describe('compare: facts from files', () => {
  it('a full distro: glibc through merged /usr, its shells and package managers, setuid and setgid files', async () => {
    const row = await compareRow('minbase', await entriesImage([GLIBC_TRIXIE]));
    assert.equal(row.libc, 'glibc');
    assert.deepEqual(row.shells, ['bash', 'dash', 'sh']); // rbash is bash under another name, not listed
    assert.deepEqual(row.packageManagers, ['apt', 'dpkg']);
    assert.deepEqual(row.setuid, ['/usr/bin/chage', '/usr/bin/su']);
    assert.equal(row.distro, 'debian 13');
    assert.equal(row.user.display, 'root (unset)');
    assert.equal(row.user.root, true);
  });

  it('Alpine (synthetic): musl + apk, busybox sh, its apk packages', async () => {
    const row = await compareRow('alpine', await entriesImage([ALPINE]));
    assert.equal(row.libc, 'musl');
    assert.equal(row.libcVersion, '1.2.5-r0');
    assert.deepEqual(row.packageManagers, ['apk']);
    assert.deepEqual(row.shells, ['busybox', 'sh']);
    assert.equal(row.packages, 3);
    assert.deepEqual(row.setuid, ['/bin/su']);
  });

  it('scratch with one static binary: libc none, no shell, no packages', async () => {
    const row = await compareRow('scratch', await entriesImage([{ app: 'ELF' }], { user: '65532' }));
    assert.equal(row.libc, 'none');
    assert.deepEqual([row.shells, row.packageManagers, row.runtimes, row.packages], [[], [], [], 0]);
    assert.equal(row.user.display, '65532');
    assert.equal(row.user.root, false);
  });

  it('a shell link to a missing file, or one a later layer deleted, is no shell', async () => {
    const img = await entriesImage([
      { 'bin/sh': { link: 'busybox' }, 'bin/bash': 'ELF' },
      { 'bin/.wh.bash': '' },
    ]);
    assert.deepEqual((await compareRow('x', img)).shells, []);
  });

  it('a :debug-style busybox: its sh is a shell, its dpkg and rpm applets are marked as busybox’s', async () => {
    const row = await compareRow(
      'debug',
      await entriesImage([
        {
          'busybox/busybox': 'ELF',
          'busybox/sh': { link: '/busybox/busybox' },
          'busybox/dpkg': { link: '/busybox/busybox' },
          'busybox/rpm': { link: 'busybox' },
        },
      ]),
    );
    assert.deepEqual(row.shells, ['busybox', 'sh']);
    assert.deepEqual(row.packageManagers, ['busybox dpkg', 'busybox rpm']);
  });

  it('java: a launcher in /usr/bin first, the version from the JDK’s release file', async () => {
    const img = await entriesImage([
      {
        'usr/bin/java': 'ELF',
        'usr/lib/jvm/java-21-openjdk-amd64/bin/java': 'ELF',
        'usr/lib/jvm/java-21-openjdk-amd64/release': 'JAVA_VERSION="21.0.9"\n',
      },
    ]);
    const rt = (await compareRow('j', img)).runtimes;
    assert.deepEqual(
      rt.map((r) => [r.name, r.version, r.path]),
      [['java', '21.0.9', '/usr/lib/jvm/java-21-openjdk-amd64/bin/java']],
    );
  });

  it('runtimes with versions from packages and files: python3.x, node from npm, java from its release file', async () => {
    const dpkg = (name: string, version: string) =>
      `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n`;
    const img = await entriesImage([
      {
        'etc/os-release': 'ID=debian\nVERSION_ID="13"\n',
        'var/lib/dpkg/status.d/python3.13-minimal': dpkg('python3.13-minimal', '3.13.5-2'),
        'usr/bin/python3.13': 'ELF',
        'usr/bin/python3': { link: 'python3.13' },
        'usr/lib/jvm/temurin-21/bin/java': 'ELF',
        'usr/lib/jvm/temurin-21/release': 'IMPLEMENTOR="x"\nJAVA_VERSION="21.0.8"\n',
        'nodejs/bin/node': 'ELF no version string here',
      },
    ]);
    const row = await compareRow('rt', img);
    assert.deepEqual(
      row.runtimes.map((r) => [r.name, r.version]),
      [
        ['node', undefined],
        ['python3.13', '3.13.5'],
        ['java', '21.0.8'],
      ],
    );
  });

  it('the default user, resolved through the image’s /etc/passwd', async () => {
    const passwd = {
      'etc/passwd': 'root:x:0:0::/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n',
    };
    const user = async (u: string) => (await compareRow('u', await entriesImage([passwd], { user: u }))).user;
    assert.equal((await user('65532')).display, '65532 (nonroot)');
    assert.equal((await user('nonroot')).display, 'nonroot (65532)');
    assert.equal((await user('nonroot:nonroot')).uid, 65532);
    assert.equal((await user('0')).root, true);
    assert.equal((await user('ghost')).display, 'ghost (not in /etc/passwd)');
  });

  it('sizes and layers: stored and uncompressed bytes per layer, history lines beside them', async () => {
    const img = await entriesImage([{ a: 'x'.repeat(5000) }, { b: 'y' }], { createdBy: ['base', 'app'] });
    const row = await compareRow('s', img);
    assert.equal(row.layers.length, 2);
    assert.equal(row.layersCompressed, true);
    assert.equal(
      row.compressedSize,
      img.layers.reduce((a, l) => a + l.descriptor.size, 0),
    );
    assert.equal(
      row.uncompressedSize,
      img.layers.reduce((a, l) => a + (l.uncompressedSize ?? 0), 0),
    );
    assert.deepEqual(
      row.layers.map((l) => l.createdBy),
      ['base', 'app'],
    );
    assert.equal(formatSize(875_312), '875 kB');
    assert.equal(formatSize(22_040_000), '22.0 MB');
  });

  it('findings by severity come from the assessment the caller gives; expected ones are not counted', async () => {
    const f = (severity: Finding['severity'], expected?: boolean): Finding => ({
      id: 'X',
      severity,
      title: 't',
      hint: 'h',
      expected,
    });
    const row = await compareRow('a', await entriesImage([ALPINE]), {
      assess: async () => ({
        findings: [f('high'), f('high'), f('low'), f('high', true)],
        cves: { total: 7, noData: 2 },
      }),
    });
    assert.deepEqual(row.findings, { critical: 0, high: 2, medium: 0, low: 1, info: 0 });
    assert.deepEqual(row.cves, { total: 7, noData: 2 });
    assert.match(compareText([row]), /Findings \(C\/H\/M\/L\/I\)\s+0\/2\/0\/1\/0/);
    assert.match(compareText([row]), /CVEs\s+7 \(2 packages without data\)/);
  });
});
