/**
 * The HTML report of `distill compare` in a real browser (Debian's chromium, driven by
 * puppeteer-core): it loads with no console error and no network request, has one table column
 * per image, its SVG bars have a size and paint pixels, and at a phone's 390 px every text is at
 * least 14 px and the page does not scroll sideways (the table scrolls inside its box).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ALPINE, entriesImage } from '../../src/compare/compare-testing.ts';
import { type CompareRow, compareHtml, compareRow, writeReport } from '../../src/compare/index.ts';
import type { Finding } from '../../src/scan/index.ts';
import { hasTool } from '../helpers/tools.ts';

const CHROMIUM = '/usr/bin/chromium';
const EVIL = '<script>alert(1)</script>';

/** Distinct byte values in a PNG's pixel data: a blank capture has one or two. */
function pixelVariety(png: Uint8Array): number {
  const buf = Buffer.from(png);
  const idat: Buffer[] = [];
  for (let p = 8; p < buf.length; ) {
    const len = buf.readUInt32BE(p);
    if (buf.toString('latin1', p + 4, p + 8) === 'IDAT') idat.push(buf.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  return new Set(inflateSync(Buffer.concat(idat))).size;
}

async function rows(): Promise<CompareRow[]> {
  const f = (severity: Finding['severity']): Finding => ({ id: 'X', severity, title: 't', hint: 'h' });
  const big = 'x'.repeat(200_000);
  return [
    await compareRow(
      'oci:distill-out/static:latest',
      await entriesImage([{ app: 'ELF' }], { user: '65532' }),
      {
        assess: async () => ({ findings: [] }),
      },
    ),
    await compareRow(
      'docker-daemon:minbase:trixie',
      await entriesImage([{ a: big }, { b: big.slice(0, 50_000) }, { c: 'y' }]),
      {
        assess: async () => ({ findings: [f('high'), f('high'), f('medium'), f('low'), f('info')] }),
      },
    ),
    await compareRow('oci:alpine', await entriesImage([ALPINE]), {
      assess: async () => ({ findings: [f('critical')] }),
    }),
    await compareRow(`oci:/tmp/${EVIL}`, await entriesImage([{ app: 'ELF' }], { user: EVIL })),
  ];
}

let browser: Browser | undefined;
let dir = '';
let url = '';
before(async () => {
  if (!hasTool('chromium')) return;
  dir = await mkdtemp(join(tmpdir(), 'distill-e2e-compare-html-'));
  const file = join(dir, 'report.html');
  await writeReport(file, compareHtml(await rows()));
  url = pathToFileURL(file).href;
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
after(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens the report at `width` px, recording console errors, page errors and every request. */
async function open(width: number): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await (browser as Browser).newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.setViewport({ width, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests };
}

describe('distill compare --html in chromium', () => {
  it('loads with no console error and no request but its own file; one column per image; the <script> label is text', async (t) => {
    if (!browser) return void requireChromium(t);
    const { page, errors, requests } = await open(1200);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [url]);
    const cols = await page.$$eval('thead th', (ths) => ths.map((th) => th.textContent));
    assert.equal(cols.length, 5, 'Feature + 4 images');
    assert.equal(cols[4], `oci:/tmp/${EVIL}`);
    const cells = await page.$$eval('tbody tr', (trs) => trs.map((tr) => tr.querySelectorAll('td').length));
    assert.ok(cells.length >= 12 && cells.every((n) => n === 4), `cells per line: ${cells}`);
    assert.equal(await page.evaluate(() => document.scripts.length), 0);
    await page.close();
  });

  it('the charts render: every bar has a size, its segments paint, the screenshot is not blank', async (t) => {
    if (!browser) return void requireChromium(t);
    const { page } = await open(1200);
    const bars = await page.$$eval('svg.bar', (svgs) =>
      svgs.map((s) => {
        const b = s.getBoundingClientRect();
        const rects = [...s.querySelectorAll('rect')].map((r) => r.getBoundingClientRect().width);
        return { w: b.width, h: b.height, rects };
      }),
    );
    assert.equal(bars.length, 8, 'a layer bar and a findings bar per image');
    for (const b of bars) assert.ok(b.w > 0 && b.h > 0, JSON.stringify(b));
    // Layer bars: one segment per layer, each visible; the minbase-like image has three.
    assert.deepEqual(
      bars.slice(0, 4).map((b) => b.rects.length),
      [1, 3, 1, 1],
    );
    assert.ok(bars.slice(0, 4).every((b) => b.rects.every((w) => w > 0)));
    assert.equal(bars[5]?.rects.length, 4, 'high, medium, low, info');
    const shot = await (await page.$$('svg.bar'))[1]?.screenshot({ type: 'png' });
    assert.ok(shot && shot.length > 100);
    assert.ok(pixelVariety(shot) > 4, 'the bar paints several colours');
    const page1 = await page.screenshot({ type: 'png', fullPage: true });
    assert.ok(pixelVariety(page1) > 20);
    await page.close();
  });

  it('at 390 px: all text ≥ 14 px, the body does not overflow, the table scrolls inside its box', async (t) => {
    if (!browser) return void requireChromium(t);
    const { page, errors } = await open(390);
    const small = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent?.trim()))
        .map((e) => ({ tag: e.tagName, size: Number.parseFloat(getComputedStyle(e).fontSize) }))
        .filter((x) => x.size < 14),
    );
    assert.deepEqual(small, []);
    const m = await page.evaluate(() => {
      const box = document.querySelector('.scroll') as HTMLElement;
      return {
        inner: window.innerWidth,
        doc: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        box: box.clientWidth,
        table: box.scrollWidth,
      };
    });
    assert.equal(m.inner, 390);
    assert.ok(m.doc <= m.inner && m.body <= m.inner, JSON.stringify(m));
    assert.ok(m.table > m.box, `the table is wider than its box and scrolls inside it: ${JSON.stringify(m)}`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

function requireChromium(t: { skip: (m: string) => void }): void {
  const msg = 'chromium is not installed (Debian package chromium; .ci/run installs it)';
  if (process.env.CI === 'true') throw new Error(`${msg}: end-to-end tests may not skip under CI=true`);
  t.skip(msg);
}
