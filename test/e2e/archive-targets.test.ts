/**
 * `--archive PATH` onto what is already at PATH: stdout (`-`, piped into tar and `docker load`),
 * a fifo (written as a stream, still a fifo afterwards), a symlink (its target written, the link
 * kept, a dangling one's target created), /dev/null (a character device: written to, never
 * replaced), a socket (OUTPUT_NOT_REGULAR, nothing written); `--archive - --json` is a usage error.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distill, needTools } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/tools.ts';

async function rootfs(dir: string): Promise<string> {
  const r = join(dir, 'rootfs');
  await mkdir(join(r, 'etc'), { recursive: true });
  await writeFile(join(r, 'etc', 'hello.txt'), 'hello\n');
  return r;
}

const fromDir = (root: string, archive: string, ...more: string[]) => [
  'image',
  'from-dir',
  root,
  '--archive',
  archive,
  '--tag',
  'distill-e2e/archive-target:1',
  ...more,
];

/** `tar -t` of an archive's bytes: the docker-archive's own files are there. */
function tarList(bytes: Buffer): string[] {
  const r = spawnSync('tar', ['-t'], { input: bytes });
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout).trim().split('\n');
}

describe('--archive onto special files', () => {
  it('`--archive -` writes the tar to stdout (human lines go to stderr) and docker load reads it', async (t) => {
    const dir = await tempDir(t);
    const root = await rootfs(dir);
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'distill.js'), ...fromDir(root, '-')], {
      cwd: dir,
    });
    assert.equal(r.status, 0, String(r.stderr));
    const names = tarList(r.stdout);
    assert.ok(names.includes('manifest.json'), names.join(','));
    assert.match(String(r.stderr), /sha256:/, 'the human report went to stderr');
    assert.deepEqual(await readdir(dir), ['rootfs'], 'no file named - and nothing else written');
    if (!needTools(t, ['docker.io:docker'])) return;
    const load = spawnSync('docker', ['load'], { input: r.stdout });
    assert.equal(load.status, 0, String(load.stderr));
    assert.match(String(load.stdout), /distill-e2e\/archive-target:1/);
    spawnSync('docker', ['rmi', 'distill-e2e/archive-target:1']);
  });

  it('`--archive - --json` is CLI_USAGE, nothing written', async (t) => {
    const dir = await tempDir(t);
    const root = await rootfs(dir);
    const r = distill([...fromDir(root, '-'), '--json']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error CLI_USAGE: --archive - writes the tar to stdout/);
    assert.equal(r.stdout, '');
  });

  it('a fifo is written as a stream and stays a fifo', async (t) => {
    const dir = await tempDir(t);
    const root = await rootfs(dir);
    const fifo = join(dir, 'pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const reader = spawn('cat', [fifo]);
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((r) => reader.on('close', r));
    const w = await new Promise<number | null>((resolve) => {
      const c = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'distill.js'), ...fromDir(root, fifo)]);
      c.on('close', resolve);
    });
    await done;
    assert.equal(w, 0);
    assert.ok(tarList(Buffer.concat(chunks)).includes('manifest.json'));
    assert.ok((await lstat(fifo)).isFIFO(), 'still a fifo');
    assert.deepEqual((await readdir(dir)).sort(), ['pipe', 'rootfs'], 'no temporary file left beside it');
  });

  it('a symlink is written through: the link stays, its target (even a dangling one) gets the archive', async (t) => {
    const dir = await tempDir(t);
    const root = await rootfs(dir);
    await mkdir(join(dir, 'store'));
    await writeFile(join(dir, 'store', 'app.tar'), 'old');
    await symlink(join(dir, 'store', 'app.tar'), join(dir, 'link.tar'));
    await symlink('store/new.tar', join(dir, 'dangling.tar'));
    for (const [link, target] of [
      ['link.tar', 'app.tar'],
      ['dangling.tar', 'new.tar'],
    ] as const) {
      const r = distill(fromDir(root, join(dir, link)));
      assert.equal(r.status, 0, r.stderr);
      assert.ok((await lstat(join(dir, link))).isSymbolicLink(), `${link} is still a link`);
      assert.ok(tarList(await readFile(join(dir, 'store', target))).includes('manifest.json'));
    }
    assert.equal(await readlink(join(dir, 'dangling.tar')), 'store/new.tar');
    assert.deepEqual((await readdir(join(dir, 'store'))).sort(), ['app.tar', 'new.tar']);
  });

  it('/dev/null is written to, not replaced; a socket is OUTPUT_NOT_REGULAR with nothing written', async (t) => {
    const dir = await tempDir(t);
    const root = await rootfs(dir);
    const r = distill(fromDir(root, '/dev/null'));
    assert.equal(r.status, 0, r.stderr);
    assert.ok((await stat('/dev/null')).isCharacterDevice(), '/dev/null is still a device');

    const sock = join(dir, 'sock');
    const server = createServer();
    await new Promise<void>((res) => server.listen(sock, () => res()));
    t.after(() => new Promise<void>((res) => server.close(() => res())));
    const s = distill(fromDir(root, sock));
    assert.equal(s.status, 1);
    assert.match(s.stderr, /error OUTPUT_NOT_REGULAR: .*sock is a socket/);
    assert.deepEqual((await readdir(dir)).sort(), ['rootfs', 'sock']);
  });
});
