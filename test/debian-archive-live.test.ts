/**
 * The acceptance runs against the real Debian archive (mirror discovered as DESIGN.md says:
 * env, else this host's apt sources), with the shipped keys: every signature and hash checked.
 * Skips when no mirror is configured or reachable, except under CI=true where it must run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { discoverMirrors } from '../src/debian/archive/mirror.ts';

const BIN = fileURLToPath(new URL('../../bin/distill.js', import.meta.url));
let cache: string;
let skip: string | undefined;

before(async () => {
  cache = await mkdtemp(join(tmpdir(), 'distill-live-'));
  try {
    const m = await discoverMirrors({ env: process.env });
    const res = await fetch(`${m.main}/dists/trixie/InRelease`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) skip = `the Debian mirror ${m.main} answered ${res.status}`;
  } catch (err) {
    skip = `no reachable Debian mirror (${(err as Error).message})`;
  }
});
after(async () => {
  await rm(cache, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DISTILL_CACHE: cache } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

const CASES: [string, string, string[]][] = [
  ['13', 'amd64', ['libc6', 'libssl3t64', 'python3.13-minimal']],
  ['13', 'arm64', ['libc6', 'libssl3t64', 'python3.13-minimal']],
  ['12', 'amd64', ['libc6', 'libssl3', 'python3.11-minimal']],
];

for (const [debian, arch, pkgs] of CASES) {
  test(`live: packages resolve ${pkgs.join(' ')} --debian ${debian} --arch ${arch}`, async (t) => {
    if (skip) {
      if (process.env.CI === 'true') assert.fail(skip);
      t.skip(skip);
      return;
    }
    const args = ['packages', 'resolve', ...pkgs, '--debian', debian, '--arch', arch, '--json'];
    const cold = await run(args);
    assert.equal(cold.code, 0, cold.stderr);
    const warm = await run(args);
    assert.equal(warm.code, 0, warm.stderr);
    t.diagnostic(`cold ${cold.ms} ms, warm ${warm.ms} ms`);
    assert.ok(warm.ms < 10_000, `warm resolve took ${warm.ms} ms`);
    const out = JSON.parse(warm.stdout);
    const names: string[] = out.packages.map((p: { name: string }) => p.name);
    for (const p of pkgs) assert.ok(names.includes(p), `${p} missing from ${names.join(', ')}`);
    for (const never of ['dpkg', 'debconf', 'perl-base'])
      assert.ok(!names.includes(never), `${never} is in the set`);
    for (const p of out.packages) {
      assert.match(p.sha256, /^[0-9a-f]{64}$/);
      assert.ok(p.architecture === arch || p.architecture === 'all');
      assert.match(p.filename, /^pool\//);
    }
    // Every suite was verified by a shipped key.
    assert.equal(out.suites.length, 3);
    for (const s of out.suites) assert.ok(s.signers.length > 0);
    assert.deepEqual(JSON.parse(cold.stdout).packages, out.packages);
  });
}
