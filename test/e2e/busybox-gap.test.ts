/**
 * Issue 14 item 5: the applets distroless's debug images have and distill's do not. The list
 * `distill base --list --json` prints (debugBusybox) must be exactly distroless's BUSYBOX_COMMANDS
 * (its experimental/busybox/commands.bzl, vendored) less the applet links of a built
 * static:debug image (read from its layers), and the applet count must match the image.
 * Needs the Debian archive.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { buildBase } from '../helpers/docker.ts';
import { layoutTree } from '../helpers/layout-tree.ts';
import { REPO_ROOT } from '../helpers/tools.ts';

const COMMANDS_BZL = join(REPO_ROOT, 'test/fixtures/distroless-cst/experimental/busybox/commands.bzl');

test('base --list --json names the distroless busybox applets the debug images lack', async () => {
  const bzl = await readFile(COMMANDS_BZL, 'utf8');
  const block = /BUSYBOX_COMMANDS = \[([\s\S]*?)\]/.exec(bzl)?.[1] ?? '';
  const distroless = [...block.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
  assert.equal(distroless.length, 381);
  const listed = JSON.parse(distill(['base', '--list', '--json']).stdout).debugBusybox as {
    applets: number;
    distrolessApplets: number;
    missing: string[];
  };
  const dir = await mkdtemp(join(tmpdir(), 'distill-e2e-busybox-gap-'));
  try {
    await buildBase('static:debug', ['--output', join(dir, 'layout')]);
    const tree = await layoutTree(join(dir, 'layout'));
    const links = [...tree.values()]
      .filter(
        (e) => e.path.startsWith('busybox/') && e.type === 'symlink' && e.linkname === '/busybox/busybox',
      )
      .map((e) => e.path.slice('busybox/'.length));
    assert.equal(tree.get('busybox/busybox')?.type, 'file');
    // One link per applet ("busybox" itself, which Debian's --list names, is the binary).
    assert.equal(listed.applets, links.length);
    assert.equal(listed.distrolessApplets, distroless.length);
    const have = new Set(links);
    assert.deepEqual(listed.missing, distroless.filter((a) => !have.has(a)).sort());
    for (const a of ['pgrep', 'pkill', 'nohup', 'printenv', 'flock', 'lsof', 'fuser', 'pstree'])
      assert.ok(listed.missing.includes(a), a);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
