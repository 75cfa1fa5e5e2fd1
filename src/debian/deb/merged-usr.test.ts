import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergedUsrPath, mergeUsr } from './merged-usr.ts';
import type { DebEntry } from './normalise.ts';

const e = (path: string, type: DebEntry['type'] = 'file', linkname?: string): DebEntry => ({
  path,
  type,
  mode: type === 'dir' ? 0o755 : 0o644,
  uid: 0,
  gid: 0,
  mtime: 0,
  size: 0,
  offset: 0,
  ...(linkname ? { linkname } : {}),
});

test('mergedUsrPath', () => {
  assert.equal(mergedUsrPath('bin/ls'), 'usr/bin/ls');
  assert.equal(mergedUsrPath('sbin'), 'usr/sbin');
  assert.equal(mergedUsrPath('lib/x86_64-linux-gnu/libc.so.6'), 'usr/lib/x86_64-linux-gnu/libc.so.6');
  assert.equal(mergedUsrPath('lib64/ld-linux-x86-64.so.2'), 'usr/lib64/ld-linux-x86-64.so.2');
  assert.equal(mergedUsrPath('libexec/x'), 'libexec/x');
  assert.equal(mergedUsrPath('binx/y'), 'binx/y');
  assert.equal(mergedUsrPath('usr/bin/ls'), 'usr/bin/ls');
  assert.equal(mergedUsrPath('etc/bin/x'), 'etc/bin/x');
});

test("base-files' aliasing symlinks stay; directories merge; hardlink targets move", () => {
  const out = mergeUsr(
    [
      e('bin', 'symlink', 'usr/bin'),
      e('lib64', 'symlink', 'usr/lib64'),
      e('usr', 'dir'),
      e('usr/bin', 'dir'),
      e('usr/lib64', 'dir'),
    ],
    'base-files',
  );
  assert.deepEqual(
    out.map((x) => [x.path, x.type]),
    [
      ['bin', 'symlink'],
      ['lib64', 'symlink'],
      ['usr', 'dir'],
      ['usr/bin', 'dir'],
      ['usr/lib64', 'dir'],
    ],
  );
  const pkg = mergeUsr(
    [e('usr', 'dir'), e('usr/bin', 'dir'), e('bin', 'dir'), e('bin/a'), e('bin/b', 'hardlink', 'bin/a')],
    'p',
  );
  assert.deepEqual(
    pkg.map((x) => [x.path, x.linkname]),
    [
      ['usr', undefined],
      ['usr/bin', undefined],
      ['usr/bin/a', undefined],
      ['usr/bin/b', 'usr/bin/a'],
    ],
  );
});

test('a package shipping /bin/x and /usr/bin/x conflicts after the rewrite', () => {
  assert.throws(() => mergeUsr([e('bin/x'), e('usr/bin/x')], 'p'), { code: 'DEB_PATH_CONFLICT' });
});

test('a symlink lib/foo and a file usr/lib/foo/bar: written through after the rewrite', () => {
  assert.throws(() => mergeUsr([e('lib/foo', 'symlink', '/opt'), e('usr/lib/foo/bar')], 'p'), {
    code: 'DEB_SYMLINK_TRAVERSAL',
  });
});
