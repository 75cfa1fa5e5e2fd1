/**
 * The container-structure-test runner (test/helpers/cst.ts) can fail: each kind of check, given
 * a wrong expectation about a real distill image (static:debug-nonroot in the Docker engine),
 * reports it, and the right expectation passes. Plus Go's FileMode strings and symlink
 * resolution, which the file checks rest on. Needs docker and the Debian archive.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { needTools } from '../helpers/cli.ts';
import { type CstConfig, type FsNode, goModeString, goRegExp, resolvePath, runCst } from '../helpers/cst.ts';
import { buildBase, dockerLoad, dockerRemove } from '../helpers/docker.ts';

test("Go's FileMode strings, RE2 patterns and in-image symlink resolution", () => {
  const n = (type: FsNode['type'], mode: number): FsNode => ({ type, mode, uid: 0, gid: 0 });
  assert.equal(goModeString(n('dir', 0o1777)), 'dtrwxrwxrwx');
  assert.equal(goModeString(n('symlink', 0o777)), 'Lrwxrwxrwx');
  assert.equal(goModeString(n('file', 0o644)), '-rw-r--r--');
  assert.equal(goModeString(n('file', 0o4755)), 'urwxr-xr-x');
  assert.equal(goModeString(n('dir', 0o700)), 'drwx------');
  assert.ok(
    goRegExp('^root:x:0:0:root:/root:/sbin/nologin\\nnobody').test(
      'root:x:0:0:root:/root:/sbin/nologin\nnobody:x',
    ),
  );
  assert.ok(!goRegExp('^nobody').test('root\nnobody'));
  assert.ok(goRegExp('(?m)^nobody').test('root\nnobody'));
  const fs = new Map<string, FsNode>([
    ['/', n('dir', 0o755)],
    ['/usr', n('dir', 0o755)],
    ['/usr/lib', n('dir', 0o755)],
    ['/usr/lib/os-release', n('file', 0o444)],
    ['/lib', { ...n('symlink', 0o777), linkname: 'usr/lib' }],
    ['/etc', n('dir', 0o755)],
    ['/etc/os-release', { ...n('symlink', 0o777), linkname: '../usr/lib/os-release' }],
  ]);
  assert.equal(resolvePath(fs, '/etc/os-release', false), '/etc/os-release');
  assert.equal(resolvePath(fs, '/etc/os-release', true), '/usr/lib/os-release');
  assert.equal(resolvePath(fs, '/lib/os-release', false), '/usr/lib/os-release');
  assert.equal(resolvePath(fs, '/lib/nope', false), undefined);
});

test('every kind of check reports a wrong expectation and passes a right one', {
  timeout: 600_000,
}, async (t) => {
  if (!needTools(t, ['docker.io:docker'])) return;
  const dir = await mkdtemp(join(tmpdir(), 'distill-e2e-cst-runner-'));
  const tag = `distill-e2e-cst-runner-${process.pid}/static:debug-nonroot`;
  try {
    await buildBase('static:debug-nonroot', ['--archive', join(dir, 'a.tar'), '--tag', tag, '-q']);
    assert.deepEqual(await dockerLoad(join(dir, 'a.tar')), [tag]);
    const right: CstConfig = {
      schemaVersion: '2.0.0',
      commandTests: [
        {
          name: 'echo',
          command: '/busybox/sh',
          args: ['-c', 'echo out; echo err >&2; exit 3'],
          expectedOutput: ['^out'],
          expectedError: ['err'],
          excludedOutput: ['err'],
          exitCode: 3,
        },
        { name: 'id', command: ['/busybox/id', '-u'], expectedOutput: ['^65532\\n$'] },
        {
          name: 'env',
          command: '/busybox/sh',
          args: ['-c', 'echo $X'],
          envVars: [{ key: 'X', value: 'y' }],
          expectedOutput: ['^y\\n$'],
        },
      ],
      fileExistenceTests: [
        { name: 'tmp', path: '/tmp', shouldExist: true, permissions: 'dtrwxrwxrwx', uid: 0, gid: 0 },
        {
          name: 'home',
          path: '/home/nonroot',
          shouldExist: true,
          uid: 65532,
          gid: 65532,
          permissions: 'drwx------',
        },
        { name: 'link', path: '/etc/os-release', shouldExist: true, permissions: 'Lrwxrwxrwx' },
        { name: 'bb', path: '/busybox/busybox', shouldExist: true, isExecutableBy: 'other' },
        { name: 'no sh', path: '/bin/sh', shouldExist: false },
      ],
      fileContentTests: [
        {
          name: 'os',
          path: '/etc/os-release',
          expectedContents: ['PRETTY_NAME="Distroless"'],
          excludedContents: ['Ubuntu'],
        },
      ],
      metadataTest: {
        envVars: [{ key: 'PATH', value: ':/busybox$', isRegex: true }],
        entrypoint: ['/busybox/sh'],
        user: '65532',
        workdir: '/home/nonroot',
        unboundEnvVars: [{ key: 'JAVA_HOME' }],
      },
    };
    const okResults = await runCst(tag, right);
    assert.deepEqual(
      okResults.filter((r) => r.failures.length),
      [],
    );
    assert.equal(okResults.length, 10);

    const wrong: CstConfig = {
      schemaVersion: '2.0.0',
      commandTests: [
        { name: 'exit', command: '/busybox/false' },
        { name: 'stdout', command: '/busybox/echo', args: ['hi'], expectedOutput: ['^bye'] },
        { name: 'excluded', command: '/busybox/echo', args: ['hi'], excludedOutput: ['hi'] },
        { name: 'stderr', command: '/busybox/echo', args: ['hi'], expectedError: ['hi'] },
        { name: 'no such command', command: '/bin/sh', args: ['-c', 'true'] },
      ],
      fileExistenceTests: [
        { name: 'sh', path: '/bin/sh', shouldExist: true },
        { name: 'passwd', path: '/etc/passwd', shouldExist: false },
        { name: 'mode', path: '/tmp', shouldExist: true, permissions: 'drwxrwxrwx' },
        { name: 'uid', path: '/home/nonroot', shouldExist: true, uid: 0 },
        { name: 'gid', path: '/home/nonroot', shouldExist: true, gid: 0 },
        { name: 'exec', path: '/etc/passwd', shouldExist: true, isExecutableBy: 'any' },
      ],
      fileContentTests: [
        { name: 'expected', path: '/etc/passwd', expectedContents: ['^nonroot'] },
        { name: 'excluded', path: '/etc/passwd', excludedContents: ['nonroot'] },
        { name: 'missing', path: '/etc/nope', expectedContents: ['x'] },
      ],
      metadataTest: {
        user: '0',
        envVars: [{ key: 'NOPE', value: 'x' }],
        labels: [{ key: 'a', value: 'b' }],
        exposedPorts: ['80'],
      },
    };
    const bad = await runCst(tag, wrong);
    assert.deepEqual(
      bad.filter((r) => r.failures.length === 0).map((r) => r.name),
      [],
      'every wrong expectation is reported',
    );
    const meta = bad.find((r) => r.kind === 'metadata')?.failures ?? [];
    assert.equal(meta.length, 4, meta.join('\n'));
  } finally {
    dockerRemove([tag]);
    await rm(dir, { recursive: true, force: true });
  }
});
