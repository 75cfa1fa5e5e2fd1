import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OciError } from '../oci/index.ts';
import { entriesImage } from './compare-testing.ts';
import {
  type CompareError,
  compareHtml,
  compareImages,
  compareMarkdown,
  compareRow,
  compareText,
  writeReport,
} from './index.ts';

describe('compare: output', () => {
  it('HTML escapes every string from an image: a <script> name, passwd user, history line render as text', async () => {
    const evil = '<script>alert(1)</script>';
    const img = await entriesImage([{ 'etc/passwd': `${evil}:x:0:0::/:/x\n`, app: 'ELF' }], {
      user: evil,
      createdBy: [`RUN ${evil} "quoted" 'single' & more`],
    });
    const row = await compareRow(`oci:/tmp/${evil}`, img);
    const html = compareHtml([row]);
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(html, /https?:\/\//, 'no network reference');
    assert.doesNotMatch(html, /"quoted"|'single'/, 'quotes in attribute text are escaped');
    assert.equal((html.match(/<th scope="col">/g) ?? []).length, 2, 'a Feature column and one per image');
  });

  it('Markdown: a | or line break in a name stays inside its cell; the text table has no escape sequences', async () => {
    const row = await compareRow('a|b\nc\x1b[31m', await entriesImage([{ app: 'ELF' }]));
    const md = compareMarkdown([row, row]);
    const lines = md.trimEnd().split('\n');
    assert.equal(lines[0], '| Feature | a\\|b c | a\\|b c |');
    assert.ok(lines.every((l) => l.startsWith('| ') || l.startsWith('|---')));
    assert.doesNotMatch(compareText([row]), /\x1b/);
  });

  it('one unreadable image among several: COMPARE_IMAGE_UNREADABLE naming it and its own code', async () => {
    const good = await entriesImage([{ app: 'ELF' }]);
    const open = async (ref: string) => {
      if (ref === 'oci:missing') throw new OciError('OCI_LAYOUT_INVALID', 'no oci-layout in missing');
      return good;
    };
    await assert.rejects(compareImages(['oci:a', 'oci:missing', 'oci:b'], { open }), (e: CompareError) => {
      assert.equal(e.code, 'COMPARE_IMAGE_UNREADABLE');
      assert.match(e.message, /oci:missing \(image 2 of 3\): OCI_LAYOUT_INVALID/);
      return true;
    });
    const rows = await compareImages(['oci:a', 'oci:b'], { open });
    assert.deepEqual(
      rows.map((r) => r.name),
      ['oci:a', 'oci:b'],
    );
  });

  it('a report to an unwritable place: COMPARE_WRITE_FAILED and nothing left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compare-'));
    await assert.rejects(writeReport(join(dir, 'no', 'such', 'r.html'), 'x'), {
      code: 'COMPARE_WRITE_FAILED',
    });
    await writeReport(join(dir, 'r.html'), '<p>ok</p>');
    assert.deepEqual(readdirSync(dir), ['r.html']);
  });
});
