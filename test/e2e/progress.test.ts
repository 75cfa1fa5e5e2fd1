/**
 * Progress as a user sees it: a cold `distill base static` (empty cache) under a real pty shows
 * the download status with byte counts and rates; piped, it prints plain lines without a
 * carriage return or escape sequence; --quiet prints no progress. Uses the live Debian archive.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distill, needTools } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/tools.ts';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('progress on stderr', () => {
  it('under a pty: a redrawn status line with MB and MB/s; piped: plain lines; --quiet: none', async (t) => {
    if (!needTools(t, ['bsdutils:script'])) return;
    const dir = await tempDir(t);
    const cmd = [
      process.execPath,
      join(REPO_ROOT, 'bin', 'distill.js'),
      'base',
      'static',
      '--output',
      join(dir, 'tty'),
    ]
      .map(quote)
      .join(' ');
    // script(1) gives the command a terminal; its transcript is what the terminal showed.
    const r = spawnSync('script', ['-qefc', `${cmd} 2>&1`, '/dev/null'], {
      env: { ...process.env, DISTILL_CACHE: join(dir, 'cache-tty'), TERM: 'xterm', COLUMNS: '100' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\r\u001b\[Kdownloading [^\r]*\d+\.\d MB of \d+\.\d MB, \d+\.\d MB\/s/);
    assert.match(r.stdout, /downloaded \d+ packages, \d+\.\d MB in \d+\.\d s/);

    const piped = distill(['base', 'static', '--output', join(dir, 'piped')], {
      DISTILL_CACHE: join(dir, 'cache-piped'),
    });
    assert.equal(piped.status, 0, piped.stderr);
    assert.doesNotMatch(piped.stderr, /[\r\u001b]/);
    assert.match(piped.stderr, /^ {2}fetched base-files \(\d+\/\d+\)$/m);
    assert.match(piped.stderr, /^ {2}layer root \(static\): \d+\.\d MB$/m);

    const quiet = distill(['base', 'static', '--quiet', '--output', join(dir, 'quiet')], {
      DISTILL_CACHE: join(dir, 'cache-quiet'),
    });
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /fetched|downloaded|layer /);
  });
});
