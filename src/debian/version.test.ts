import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compareVersions, parseVersion, satisfies } from './version.ts';

const verdict = (c: number) => (c < 0 ? 'lt' : c > 0 ? 'gt' : 'eq');
const fixture = new URL('../../../test/fixtures/debian-archive-versions.json', import.meta.url);
const pairs = (JSON.parse(readFileSync(fixture, 'utf8')) as { pairs: [string, string, string][] }).pairs;

test('Debian Policy edge cases', () => {
  const cases: [string, string, string][] = [
    ['1.0~rc1', '1.0', 'lt'],
    ['1.0~~', '1.0~', 'lt'],
    ['1.0', '1.0+b1', 'lt'],
    ['1.0a', '1.0+', 'lt'], // letters sort before non-letters
    ['1:0.1', '2.0', 'gt'], // the epoch wins
    ['0:1.0', '1.0', 'eq'],
    ['1.010', '1.10', 'eq'], // digit runs compare numerically
    ['2.36-9+deb12u1', '2.36-9', 'gt'],
    ['1.2-3-4', '1.2-3-5', 'lt'], // the revision starts at the last hyphen
    ['10', '9', 'gt'],
    ['1.0-1', '1.0', 'gt'],
    ['99999999999999999999', '99999999999999999998', 'gt'], // longer than a double
  ];
  for (const [a, b, want] of cases) assert.equal(verdict(compareVersions(a, b)), want, `${a} vs ${b}`);
});

test('parseVersion splits epoch, upstream and revision, and rejects junk', () => {
  assert.deepEqual(parseVersion('1:2.3-4+b1'), { epoch: 1, upstream: '2.3', revision: '4+b1' });
  assert.deepEqual(parseVersion('2.3'), { epoch: 0, upstream: '2.3', revision: '' });
  for (const bad of ['', 'a b', 'x:1.0', '1.0-a_b', '1:']) {
    assert.throws(() => parseVersion(bad), { code: 'DEBIAN_VERSION_INVALID' }, bad);
  }
});

test('satisfies implements the five relations', () => {
  assert.ok(satisfies('2.41-12', '>=', '2.34'));
  assert.ok(!satisfies('2.41-12', '<<', '2.41'));
  assert.ok(satisfies('2.41', '<=', '2.41'));
  assert.ok(satisfies('2.41-1', '>>', '2.41'));
  assert.ok(satisfies('1:1.0', '=', '1:1.0'));
});

test(`agrees with dpkg's recorded verdicts on ${pairs.length} real version pairs`, () => {
  assert.ok(pairs.length >= 2000);
  const wrong = pairs.filter(([a, b, want]) => verdict(compareVersions(a, b)) !== want);
  assert.deepEqual(wrong, []);
});

test('agrees with a live `dpkg --compare-versions` on the same pairs', (t) => {
  if (spawnSync('dpkg', ['--version']).status !== 0) {
    if (process.env.CI === 'true') assert.fail('dpkg is missing (package dpkg)');
    t.skip('dpkg not installed (package dpkg)');
    return;
  }
  // One shell runs every comparison: 2,500 dpkg processes, a few seconds.
  const script = pairs
    .map(
      ([a, b]) =>
        `dpkg --compare-versions '${a}' lt '${b}' && echo lt || { dpkg --compare-versions '${a}' eq '${b}' && echo eq || echo gt; }`,
    )
    .join('\n');
  const live = execFileSync('sh', ['-s'], { input: script, maxBuffer: 1 << 24 })
    .toString()
    .trim()
    .split('\n');
  assert.equal(live.length, pairs.length);
  const wrong = pairs
    .map(([a, b], i) => [a, b, live[i]])
    .filter(([a, b, want]) => verdict(compareVersions(a ?? '', b ?? '')) !== want);
  assert.deepEqual(wrong, []);
});
