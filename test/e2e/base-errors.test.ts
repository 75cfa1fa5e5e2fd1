/**
 * `distill base` refusals (unknown name, variant, release/name pair, architecture): the error
 * code, the exit status, and that no output was written. Also `--list` and nodejs20's
 * end-of-life warning. The refusals need no network; the warning builds nodejs20.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { distill } from '../helpers/cli.ts';

describe('distill base: refusals, --list, warnings', () => {
  const cases: Array<[string, string[], number, string]> = [
    ['an unknown name', ['nope'], 1, 'CATALOGUE_NAME_UNKNOWN'],
    ['an unknown variant', ['python3:weird'], 1, 'CATALOGUE_VARIANT_UNKNOWN'],
    ['java21 on debian12', ['java21', '--debian', '12'], 1, 'CATALOGUE_NAME_UNKNOWN'],
    ['java17 on debian13', ['java17'], 1, 'CATALOGUE_NAME_UNKNOWN'],
    ['an unknown arch', ['static', '--arch', 'amd64,mips64el'], 2, 'CLI_USAGE'],
    [
      'nodejs22 for s390x (npm has no current build)',
      ['nodejs22', '--arch', 's390x'],
      1,
      'CATALOGUE_ARCH_UNSUPPORTED',
    ],
    [
      'riscv64 on debian12',
      ['static', '--debian', '12', '--arch', 'riscv64'],
      1,
      'CATALOGUE_ARCH_UNSUPPORTED',
    ],
    [
      's390x on debian12 (LTS)',
      ['static', '--debian', '12', '--arch', 's390x'],
      1,
      'CATALOGUE_ARCH_UNSUPPORTED',
    ],
    ['no name and no --list', [], 2, 'CLI_USAGE'],
    ['an unknown compression', ['static', '--compression', 'xz'], 2, 'CLI_USAGE'],
    ['a zstd level out of range', ['static', '--compression', 'zstd:20'], 2, 'CLI_USAGE'],
    ['a gzip level out of range', ['static', '--compression', 'gzip:0'], 2, 'CLI_USAGE'],
  ];
  for (const [what, args, status, code] of cases) {
    test(`${what}: ${code}, exit ${status}, nothing written`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'distill-e2e-base-err-'));
      try {
        const r = distill([
          'base',
          ...args,
          '--output',
          join(dir, 'layout'),
          '--archive',
          join(dir, 'a.tar'),
        ]);
        assert.equal(r.status, status, r.stderr);
        assert.match(r.stderr, new RegExp(`^distill: error ${code}: `, 'm'));
        assert.deepEqual(await readdir(dir), []);
        assert.equal(existsSync(join(dir, 'layout')), false);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  test('--list --json names every image of both releases, with nodejs20 marked end-of-life', () => {
    const r = distill(['base', '--list', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const { images } = JSON.parse(r.stdout) as {
      images: Array<{ name: string; debian: number; arches: string[]; variants: string[]; warning?: string }>;
    };
    const names = (d: number) => images.filter((i) => i.debian === d).map((i) => i.name);
    assert.deepEqual(names(13), [
      'static',
      'base-nossl',
      'base',
      'cc',
      'python3',
      'nodejs20',
      'nodejs22',
      'nodejs24',
      'nodejs26',
      'java-base',
      'java21',
      'java25',
    ]);
    assert.deepEqual(names(12), [
      'static',
      'base-nossl',
      'base',
      'cc',
      'python3',
      'nodejs20',
      'nodejs22',
      'nodejs24',
      'nodejs26',
      'java-base',
      'java17',
    ]);
    const all13 = ['amd64', 'arm64', 'armhf', 's390x', 'ppc64el', 'riscv64'];
    for (const i of images) {
      const node = i.name.startsWith('nodejs');
      const want = node
        ? ['amd64', 'arm64']
        : i.debian === 13
          ? all13
          : all13.filter((a) => a !== 'riscv64' && a !== 's390x');
      assert.deepEqual(i.arches, want, `${i.name} debian${i.debian}`);
      assert.deepEqual(i.variants, ['latest', 'nonroot', 'debug', 'debug-nonroot']);
      assert.equal(Boolean(i.warning?.match(/end-of-life/)), i.name === 'nodejs20', i.name);
    }
  });

  test('building nodejs20 warns that it is past its end of life', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-e2e-base-eol-'));
    try {
      const r = distill(['base', 'nodejs20', '--output', join(dir, 'layout')]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /warning: .*Node\.js 20 .*end-of-life/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
