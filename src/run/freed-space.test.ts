import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FreedSpace } from './freed-space.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'distill-freed-'));
  dirs.push(d);
  return d;
}
const blocks = async (p: string) => (await stat(p)).blocks * 512;

describe('FreedSpace', () => {
  it('counts a hard-linked file once, and only when every link is in the removed trees', async () => {
    const d = await tmp();
    for (const c of ['a', 'b', 'c']) await mkdir(join(d, c));
    await writeFile(join(d, 'a', 'shared'), Buffer.alloc(100_000, 1));
    await link(join(d, 'a', 'shared'), join(d, 'b', 'shared'));
    await writeFile(join(d, 'b', 'own'), Buffer.alloc(50_000, 2));
    const shared = await blocks(join(d, 'a', 'shared'));
    const own = await blocks(join(d, 'b', 'own'));
    const dirB = await blocks(join(d, 'b'));
    const dirA = await blocks(join(d, 'a'));

    const onlyB = new FreedSpace();
    await onlyB.add(join(d, 'b'));
    assert.equal(onlyB.bytes, dirB + own, 'the shared file lives on in a/');

    const both = new FreedSpace();
    await both.add(join(d, 'a'));
    await both.add(join(d, 'b'));
    await both.add(join(d, 'c', 'missing'));
    assert.equal(both.bytes, dirA + dirB + own + shared, 'the shared file once');
  });
});
