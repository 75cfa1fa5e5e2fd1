/**
 * Progress on a real terminal (script(1) gives distill a pty), past the downloads: a cold `distill
 * base static` shows the Packages index being fetched and the root layer being written, and
 * leaves only finished lines on screen; a build that fails mid-download prints its error on a line
 * of its own, not after the status line. Uses the live Debian archive.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distill, needTools } from '../helpers/cli.ts';
import { screen } from '../helpers/terminal.ts';
import { REPO_ROOT, tempDir } from '../helpers/tools.ts';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `distill ARGS` on a pty, stdout to a file: what the terminal got is stderr alone. */
function onPty(args: string[], cache: string, stdoutFile: string) {
  const cmd = [process.execPath, join(REPO_ROOT, 'bin', 'distill.js'), ...args].map(quote).join(' ');
  const r = spawnSync('script', ['-qefc', `${cmd} >${quote(stdoutFile)}`, '/dev/null'], {
    env: { ...process.env, DISTILL_CACHE: cache, TERM: 'xterm' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, shown: r.stdout, error: r.stderr };
}

/** Files under `dir` whose name says they are temporary (a half-written download or layer). */
async function temps(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const all = await readdir(dir, { recursive: true });
  return all.filter((p) => /(^|\/)\.tmp/.test(String(p))).map(String);
}

describe('progress on a terminal', () => {
  it('a cold base static shows the index fetched and the layer written, and leaves only finished lines', async (t) => {
    if (!needTools(t, ['bsdutils:script'])) return;
    const dir = await tempDir(t);
    const r = onPty(
      ['base', 'static', '--output', join(dir, 'out')],
      join(dir, 'cache'),
      join(dir, 'stdout'),
    );
    assert.equal(r.status, 0, r.shown + r.error);
    // Both are drawn at once when they start (the start of a long step is news), so they always show.
    assert.match(r.shown, /\r\u001b\[Kfetching trixie main\/binary-amd64\/Packages\.xz \(\d+\.\d MB\)…/);
    assert.match(r.shown, /\r\u001b\[Kwriting root layer \(static amd64\): \d+\.\d MB of files…/);
    const lines = screen(r.shown).filter(Boolean);
    assert.ok(lines.length > 0);
    for (const l of lines)
      assert.match(
        l,
        /^ {2}(downloaded \d+ packages?, \d+\.\d MB in \d+\.\d s|retrying .*|layer root \(static\): \d+\.\d MB)$/,
      );
    const stdout = await readFile(join(dir, 'stdout'), 'utf8');
    assert.match(stdout, /^sha256:[0-9a-f]{64} {2}distill\/static:latest/);
    assert.doesNotMatch(stdout, /downloading|fetching|writing|\u001b/);
  });

  it('a failure mid-download (a lock with a wrong sha256): the error starts its own line; nothing written, no temp left', async (t) => {
    if (!needTools(t, ['bsdutils:script'])) return;
    const dir = await tempDir(t);
    const lockFile = join(dir, 'static.lock');
    const made = distill(['base', 'static', '--lock', lockFile, '--output', join(dir, 'first'), '--quiet'], {
      DISTILL_CACHE: join(dir, 'cache1'),
    });
    assert.equal(made.status, 0, made.stderr);
    const lock = JSON.parse(await readFile(lockFile, 'utf8'));
    // The largest package, so its download is under way (and on the status line) when another fails.
    const pkgs = lock.architectures.amd64.layers.flatMap((l: { packages: unknown[] }) => l.packages) as {
      name: string;
      sha256: string;
    }[];
    const tz = pkgs.find((p) => p.name === 'tzdata');
    assert.ok(tz);
    tz.sha256 = '0'.repeat(64);
    await writeFile(lockFile, JSON.stringify(lock, null, 2));

    const cache = join(dir, 'cache2');
    const r = onPty(
      ['base', 'static', '--lock', lockFile, '--output', join(dir, 'out')],
      cache,
      join(dir, 'stdout'),
    );
    assert.equal(r.status, 1, r.shown + r.error);
    assert.match(r.shown, /downloading /, 'a download was on the status line');
    const lines = screen(r.shown).filter(Boolean);
    assert.match(
      lines.at(-1) ?? '',
      /^distill: error DEB_HASH_MISMATCH: tzdata_.* does not have the sha256 the lock gives/,
    );
    for (const l of lines) assert.doesNotMatch(l, /^downloading|MB\/s/, 'no status text left on screen');
    assert.equal(existsSync(join(dir, 'out')), false, 'no output written');
    assert.deepEqual(await temps(cache), [], 'no half-written file in the cache');
    assert.equal(await readFile(join(dir, 'stdout'), 'utf8'), '');
  });
});
