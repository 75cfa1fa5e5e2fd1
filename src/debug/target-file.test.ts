import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { targetFile } from './target-file.ts';

test('a target file: read when regular; not through a symlinked parent or a symlink; a FIFO does not hang', async () => {
  // This process's /proc/PID/root is the host's /: the temp dir stands in for a container's /etc.
  const d = mkdtempSync(join(tmpdir(), 'distill-target-file-'));
  try {
    mkdirSync(join(d, 'etc'));
    writeFileSync(join(d, 'etc', 'hosts'), '127.0.0.1 localhost\n');
    mkdirSync(join(d, 'secret'));
    writeFileSync(join(d, 'secret', 'hosts'), 'host secret\n');
    symlinkSync(join(d, 'secret'), join(d, 'linked'));
    symlinkSync(join(d, 'secret', 'hosts'), join(d, 'etc', 'resolv.conf'));
    execFileSync('mkfifo', [join(d, 'etc', 'passwd')]);
    assert.equal(await targetFile(process.pid, `${d}/etc/hosts`), '127.0.0.1 localhost\n');
    assert.equal(await targetFile(process.pid, `${d}/linked/hosts`), undefined, 'a symlinked parent');
    assert.equal(await targetFile(process.pid, `${d}/etc/resolv.conf`), undefined, 'a symlink');
    assert.equal(await targetFile(process.pid, `${d}/etc/passwd`), undefined, 'a FIFO');
    assert.equal(await targetFile(process.pid, `${d}/etc`), undefined, 'a directory');
    assert.equal(await targetFile(process.pid, `${d}/etc/missing`), undefined);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
