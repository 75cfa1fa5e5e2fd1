/**
 * The matcher decides "fixed or not" with compareVersions; here it must agree with a live
 * `dpkg --compare-versions` on a corpus built from this machine's own package database
 * (/var/lib/dpkg/status: every installed version, neighbours in sorted order, same-name pairs,
 * and seeded random pairs) plus the shapes the tracker's fixed versions take (epochs, tildes,
 * +debNuM point releases, +really, letters against digits). debian/version.test.ts checks a
 * recorded corpus; this one follows whatever the host has installed.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compareVersions } from '../debian/index.ts';

const TRACKER_SHAPES: [string, string][] = [
  ['2.41-12+deb13u5', '2.41-12+deb13u9'],
  ['2.41-12+deb13u5', '2.41-12'],
  ['3.5.9-1~deb13u1', '3.5.9-1'],
  ['3.5.9-1~deb13u1', '3.5.8-1'],
  ['1:1.3.dfsg+really1.3.1-1+deb13u1', '1:1.3.dfsg+really1.3.1-1+deb13u2'],
  ['1:1.3.dfsg+really1.3.1-1', '1.3.2-1'],
  ['1:4.16.0-2+really2.41.5-0+deb13u1', '1:4.16.0-2+really2.41.5-0'],
  ['5.2.37-2+b10', '5.2.37-2+b9'],
  ['1.0a', '1.0'],
  ['1.0a', '1.0.1'],
  ['1.0~rc1-1', '1.0-1'],
  ['1.0~rc1-1', '1.0~rc1'],
  ['0', '0.0'],
  ['1.0-0', '1.0'],
  ['2:1.0', '1:9.9'],
  ['1.2+dfsg-3', '1.2-3'],
  ['1.2.3a-1', '1.2.3b-1'],
  ['1.2.3z', '1.2.3+'],
  ['9.7-3', '9.10-1'],
  ['1.35+dfsg-3.1', '1.34+dfsg-1'],
];

/** A seeded PRNG: the same corpus on every run of one host. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

function corpus(status: string): [string, string][] {
  const byName = new Map<string, string[]>();
  for (const stanza of status.split(/\n\n+/)) {
    const name = /^Package: (.+)$/m.exec(stanza)?.[1];
    const version = /^Version: (.+)$/m.exec(stanza)?.[1];
    if (name && version) byName.set(name, [...(byName.get(name) ?? []), version]);
    const src = /^Source: \S+ \((.+)\)$/m.exec(stanza)?.[1];
    if (name && version && src) byName.set(`${name}#src`, [version, src]);
  }
  const versions = [...new Set([...byName.values()].flat())].sort();
  const pairs: [string, string][] = [...TRACKER_SHAPES];
  for (let i = 1; i < versions.length; i++) pairs.push([versions[i - 1] as string, versions[i] as string]);
  for (const vs of byName.values()) if (vs.length === 2) pairs.push([vs[0] as string, vs[1] as string]);
  const r = rng(11);
  for (let i = 0; i < 400 && versions.length; i++)
    pairs.push([
      versions[Math.floor(r() * versions.length)] as string,
      versions[Math.floor(r() * versions.length)] as string,
    ]);
  // Each version against itself with an added point release and tilde: the +debNuM / ~ shapes.
  for (const v of versions.slice(0, 100)) pairs.push([v, `${v}+deb13u1`], [v, `${v}~1`]);
  return pairs;
}

const verdict = (c: number) => (c < 0 ? 'lt' : c > 0 ? 'gt' : 'eq');

test("compareVersions agrees with dpkg --compare-versions on this host's package versions", (t) => {
  const status = '/var/lib/dpkg/status';
  if (spawnSync('dpkg', ['--version']).status !== 0 || !existsSync(status)) {
    if (process.env.CI === 'true') assert.fail('dpkg and its status file are needed (package dpkg)');
    t.skip('no dpkg here (package dpkg)');
    return;
  }
  const pairs = corpus(readFileSync(status, 'utf8'));
  assert.ok(pairs.length >= 300, `${pairs.length} pairs`);
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const script = pairs
    .map(
      ([a, b]) =>
        `dpkg --compare-versions ${q(a)} lt ${q(b)} && echo lt || { dpkg --compare-versions ${q(a)} eq ${q(b)} && echo eq || echo gt; }`,
    )
    .join('\n');
  const live = execFileSync('sh', ['-s'], { input: script, maxBuffer: 1 << 24 })
    .toString()
    .trim()
    .split('\n');
  assert.equal(live.length, pairs.length);
  const wrong = pairs
    .map(([a, b], i) => [a, b, live[i]])
    .filter(([a, b, want]) => verdict(compareVersions(a as string, b as string)) !== want);
  assert.deepEqual(wrong, []);
  t.diagnostic(`${pairs.length} pairs agree`);
});
