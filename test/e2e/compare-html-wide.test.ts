/**
 * The HTML report on a desktop screen, in chromium: real references are long
 * (`docker-daemon:distill-e2e-minbase:trixie-f385639cb115`), and a header cell that may not wrap
 * pushed the last column out of its box at 1200 px, so the reader had to scroll to read a name.
 * Header cells wrap now; at 1200 px five such columns fit their box.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { entriesImage } from '../../src/compare/compare-testing.ts';
import { compareHtml, compareRow, writeReport } from '../../src/compare/index.ts';
import { hasTool } from '../helpers/tools.ts';

const NAMES = [
  'oci:/tmp/distill-e2e-compare-Ab12Cd/static',
  'oci:/tmp/distill-e2e-compare-Ab12Cd/python3',
  'oci:/tmp/distill-e2e-compare-Ab12Cd/nodejs22',
  'docker-daemon:distill-e2e-minbase:trixie-f385639cb115',
  'oci:/tmp/distill-e2e-compare-Ab12Cd/scratch',
];

let browser: Browser | undefined;
let dir = '';
let url = '';
before(async () => {
  if (!hasTool('chromium')) return;
  dir = await mkdtemp(join(tmpdir(), 'distill-e2e-compare-wide-'));
  const image = await entriesImage([{ app: 'ELF' }], { user: '65532' });
  const rows = await Promise.all(NAMES.map((n) => compareRow(n, image)));
  const file = join(dir, 'report.html');
  await writeReport(file, compareHtml(rows));
  url = pathToFileURL(file).href;
  browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
});
after(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('at 1200 px, five long image names fit the table box: no sideways scroll on a desktop', async (t) => {
  if (!browser) {
    const msg = 'chromium is not installed (Debian package chromium; .ci/run installs it)';
    if (process.env.CI === 'true') throw new Error(`${msg}: end-to-end tests may not skip under CI=true`);
    return void t.skip(msg);
  }
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  const m = await page.evaluate(() => {
    const box = document.querySelector('.scroll') as HTMLElement;
    const heads = [...document.querySelectorAll('thead th')].map((th) => th.textContent);
    return { box: box.clientWidth, table: box.scrollWidth, heads };
  });
  assert.deepEqual(m.heads, ['Feature', ...NAMES], 'every name whole, as text');
  assert.ok(m.table <= m.box, `the table fits its box: ${JSON.stringify(m)}`);
  await page.close();
});
