import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusDEntries } from './status-d.ts';

test('status.d: control and md5sums verbatim, 0644 root, parents first', async () => {
  const control = 'Package: libc6\nVersion: 2.41-12\nDescription: x\n long line\n';
  const es = statusDEntries({ package: 'libc6', control, md5sums: 'aa  usr/lib/x\n' });
  assert.deepEqual(
    es.map((e) => [e.path, e.type, e.mode, e.uid, e.gid, e.size]),
    [
      ['var', 'dir', 0o755, 0, 0, undefined],
      ['var/lib', 'dir', 0o755, 0, 0, undefined],
      ['var/lib/dpkg', 'dir', 0o755, 0, 0, undefined],
      ['var/lib/dpkg/status.d', 'dir', 0o755, 0, 0, undefined],
      ['var/lib/dpkg/status.d/libc6', 'file', 0o644, 0, 0, Buffer.byteLength(control)],
      ['var/lib/dpkg/status.d/libc6.md5sums', 'file', 0o644, 0, 0, 14],
    ],
  );
  assert.equal(String(await es[4]!.content!()), control);
  assert.equal(String(await es[5]!.content!()), 'aa  usr/lib/x\n');
});

test('status.d: no md5sums file when the package has none; no parents when asked; mtime passes through', () => {
  const es = statusDEntries({ package: 'meta', control: 'Package: meta\n' }, { parents: false, mtime: 5 });
  assert.deepEqual(
    es.map((e) => [e.path, e.mtime]),
    [['var/lib/dpkg/status.d/meta', 5]],
  );
});
