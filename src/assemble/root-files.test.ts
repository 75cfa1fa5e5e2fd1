import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { LayerEntry } from '../oci/tar/entry.ts';
import {
  BASE_FILES_OVERLAPS,
  NSSWITCH_MTIME,
  NSSWITCH_TEXT,
  osReleaseText,
  rootFiles,
} from './root-files.ts';

async function text(e: LayerEntry | undefined): Promise<string> {
  assert.ok(e?.content, 'entry has content');
  const c = await e.content();
  assert.ok(Buffer.isBuffer(c));
  assert.equal(c.length, e.size);
  return c.toString('utf8');
}

const byPath = (entries: LayerEntry[]) => new Map(entries.map((e) => [e.path, e]));

describe('rootFiles', () => {
  it('writes /etc/passwd and /etc/group exactly as distroless base/testdata/base.yaml expects', async () => {
    const m = byPath(rootFiles(13));
    const passwd = await text(m.get('etc/passwd'));
    // The regexes distroless's own container-structure-test applies to its images.
    assert.match(
      passwd,
      /^root:x:0:0:root:\/root:\/sbin\/nologin\nnobody:x:65534:65534:nobody:\/nonexistent:\/sbin\/nologin\nnonroot:x:65532:65532:nonroot:\/home\/nonroot:\/sbin\/nologin\n$/,
    );
    assert.match(
      await text(m.get('etc/group')),
      /^root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n$/,
    );
    assert.equal(m.get('etc/passwd')?.mode, 0o644);
    assert.equal(m.get('etc/group')?.mode, 0o644);
  });

  it('has the home directories, /tmp and /etc/ssl/certs with distroless modes and owners', () => {
    const m = byPath(rootFiles(12));
    const attrs = (p: string) => {
      const e = m.get(p);
      return e && { type: e.type, mode: e.mode, uid: e.uid, gid: e.gid };
    };
    assert.deepEqual(attrs('root'), { type: 'dir', mode: 0o700, uid: 0, gid: 0 });
    assert.deepEqual(attrs('home'), { type: 'dir', mode: 0o755, uid: 0, gid: 0 });
    assert.deepEqual(attrs('home/nonroot'), { type: 'dir', mode: 0o700, uid: 65532, gid: 65532 });
    assert.deepEqual(attrs('tmp'), { type: 'dir', mode: 0o1777, uid: 0, gid: 0 });
    assert.deepEqual(attrs('etc/ssl/certs'), { type: 'dir', mode: 0o755, uid: 0, gid: 0 });
  });

  it('writes nsswitch.conf byte for byte as distroless static/nsswitch.conf, with its fixed mtime', async () => {
    const e = byPath(rootFiles(13)).get('etc/nsswitch.conf');
    const t = await text(e);
    assert.equal(t, NSSWITCH_TEXT);
    // sha256 and size of static/nsswitch.conf in GoogleContainerTools/distroless (commit 25d6388f).
    assert.equal(t.length, 497);
    assert.equal(
      createHash('sha256').update(t).digest('hex'),
      'e241e67d7b5c15a5ace818d89277507b5ded8b49688b7a4431afb3b1041a3759',
    );
    assert.equal(e?.mtime, NSSWITCH_MTIME);
    assert.equal(e?.mode, 0o644);
  });

  it('writes the Distroless os-release for debian13 and debian12', async () => {
    const t13 = await text(byPath(rootFiles(13)).get('usr/lib/os-release'));
    assert.equal(
      t13,
      [
        'PRETTY_NAME="Distroless"',
        'NAME="Debian GNU/Linux"',
        'ID="debian"',
        'VERSION_ID="13"',
        'VERSION="Debian GNU/Linux 13 (trixie)"',
        'HOME_URL="https://github.com/GoogleContainerTools/distroless"',
        'SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"',
        'BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"',
        '',
      ].join('\n'),
    );
    const t12 = osReleaseText(12);
    // distroless static/testdata/debian12.yaml
    assert.match(t12, /.*\nVERSION="Debian GNU\/Linux 12 \(bookworm\)"\n/);
    assert.match(t12, /\nVERSION_ID="12"\n/);
    assert.equal(byPath(rootFiles(12)).get('usr/lib/os-release')?.mode, 0o555);
  });

  it('lists each path once, all owned by root except /home/nonroot, and names the base-files overlaps', () => {
    const entries = rootFiles(13);
    const paths = entries.map((e) => e.path);
    assert.equal(new Set(paths).size, paths.length);
    for (const e of entries) if (e.path !== 'home/nonroot') assert.equal(e.uid + e.gid, 0, e.path);
    for (const p of BASE_FILES_OVERLAPS) assert.ok(paths.includes(p), p);
    // Same input, same output: only nsswitch.conf carries an mtime of its own.
    assert.deepEqual(
      entries.filter((e) => e.mtime !== undefined).map((e) => e.path),
      ['etc/nsswitch.conf'],
    );
  });

  it('refuses a Debian release distroless does not build', () => {
    for (const bad of [11, 14, Number.NaN]) {
      assert.throws(() => rootFiles(bad as 13), { code: 'ASSEMBLE_RELEASE_UNKNOWN' });
      assert.throws(() => osReleaseText(bad as 13), { code: 'ASSEMBLE_RELEASE_UNKNOWN' });
    }
  });
});
