import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DownloadEvent } from '../debian/download.ts';
import { createProgress } from './progress.ts';

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, columns: 60, write: (x: string) => out.push(x) } };
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
