import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkStamp,
  groupTags,
  parseShard,
  parseTarget,
  publishMatrix,
  repositoriesOf,
  shardOf,
  unitKey,
  unitTags,
} from './matrix.ts';

const code = (c: string) => ({ code: c });

describe('publish matrix', () => {
  it('is release × image × variant × arch in catalogue order, whatever order the flags give', () => {
    const a = publishMatrix({
      images: ['base', 'static'],
      arches: ['arm64', 'amd64'],
      variants: ['nonroot', 'latest'],
    });
    const b = publishMatrix({
      images: ['static', 'base'],
      arches: ['amd64', 'arm64'],
      variants: ['latest', 'nonroot'],
    });
    assert.deepEqual(a, b);
    assert.deepEqual(a.units.slice(0, 3).map(unitKey), [
      '13/static/latest/amd64',
      '13/static/latest/arm64',
      '13/static/nonroot/amd64',
    ]);
    assert.equal(a.units.length, 8);
    assert.equal(a.groups.length, 4);
    assert.deepEqual(a.groups[0], {
      debian: 13,
      image: 'static',
      variant: 'latest',
      arches: ['amd64', 'arm64'],
    });
    const all = publishMatrix({ debian: [13, 12] });
    assert.ok(all.units.some((u) => u.debian === 12));
    assert.equal(all.units.length, all.groups.length * 2);
  });

  it('shards partition the units and the groups: each exactly once, every shard computing the same', () => {
    const m = publishMatrix({ arches: ['amd64', 'arm64'] });
    for (const count of [1, 2, 3, 7]) {
      const seen = new Map<string, number>();
      for (let index = 1; index <= count; index++)
        for (const u of shardOf(m.units, { index, count }))
          seen.set(unitKey(u), (seen.get(unitKey(u)) ?? 0) + 1);
      assert.equal(seen.size, m.units.length);
      assert.ok([...seen.values()].every((n) => n === 1));
      const groups = Array.from({ length: count }, (_, i) =>
        shardOf(m.groups, { index: i + 1, count }),
      ).flat();
      assert.equal(groups.length, m.groups.length);
    }
  });

  it('repositories and tags are distroless’s: NAME-debianN (+ NAME for 13), VARIANT, VARIANT-ARCH, stamped twins', () => {
    const t = parseTarget('registry.example:5000/team/distroless/');
    assert.deepEqual(t, { registry: 'registry.example:5000', prefix: 'team/distroless' });
    assert.deepEqual(repositoriesOf(t, { image: 'python3', debian: 13 }), [
      'registry.example:5000/team/distroless/python3-debian13',
      'registry.example:5000/team/distroless/python3',
    ]);
    assert.deepEqual(repositoriesOf(t, { image: 'cc', debian: 12 }), [
      'registry.example:5000/team/distroless/cc-debian12',
    ]);
    assert.deepEqual(repositoriesOf(t, { image: 'cc', debian: 13 }, false), [
      'registry.example:5000/team/distroless/cc-debian13',
    ]);
    assert.deepEqual(repositoriesOf(parseTarget('localhost:5000'), { image: 'static', debian: 12 }), [
      'localhost:5000/static-debian12',
    ]);
    const u = { debian: 13 as const, image: 'static', variant: 'debug-nonroot' as const, arch: 'arm64' };
    assert.deepEqual(unitTags(u, '20261205'), ['debug-nonroot-arm64', 'debug-nonroot-arm64-20261205']);
    assert.deepEqual(unitTags(u), ['debug-nonroot-arm64']);
    assert.deepEqual(groupTags({ ...u, arches: ['arm64'] }, 'r42'), ['debug-nonroot', 'debug-nonroot-r42']);
  });

  it('bad selections, shards, targets and stamps are coded errors', () => {
    assert.throws(() => publishMatrix({ images: ['nope'] }), code('PUBLISH_SELECTION_INVALID'));
    assert.throws(() => publishMatrix({ arches: ['s390x'] }), code('PUBLISH_SELECTION_INVALID'));
    assert.throws(() => publishMatrix({ variants: ['slim'] }), code('PUBLISH_SELECTION_INVALID'));
    assert.throws(() => publishMatrix({ debian: ['11'] }), code('PUBLISH_SELECTION_INVALID'));
    // java25 exists on debian 13 only: asked with debian 12 alone it is not in the catalogue.
    assert.throws(
      () => publishMatrix({ images: ['java25'], debian: [12] }),
      code('PUBLISH_SELECTION_INVALID'),
    );
    for (const s of ['0/2', '3/2', '1', 'a/b', '1/0', '-1/2'])
      assert.throws(() => parseShard(s), code('PUBLISH_SHARD_INVALID'));
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    for (const r of ['distroless', 'distroless/static', 'registry.example/Bad', 'registry.example/a b', ''])
      assert.throws(() => parseTarget(r), code('PUBLISH_REGISTRY_INVALID'));
    for (const s of ['a b', '-x', '', 'x'.repeat(65), 'a/b'])
      assert.throws(() => checkStamp(s), code('PUBLISH_STAMP_INVALID'));
    assert.equal(checkStamp('20261205'), '20261205');
  });
});
