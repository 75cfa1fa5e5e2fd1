/**
 * The streaming ELF strip against real toolchains: gcc-built executables and shared objects with
 * debug info lose .symtab, .strtab and .debug_*, keep running the same, and come out no bigger
 * than binutils' `strip --strip-all`; readelf reads the result cleanly. Also what is left alone.
 */
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { bufferSource, fileSource } from '../src/elf/source.ts';
import { planStrip, strippedStream } from '../src/elf/strip.ts';
import { requireTool, run, runOk, tempDir } from './helpers/tools.ts';

const MAIN = String.raw`
#include <stdio.h>
int twice(int);
static int helper(int x) { return x * 3; }
int main(int argc, char **argv) { printf("ok %d %d\n", helper(argc), twice(argc)); return 0; }
`;
const LIB = 'int twice(int x) { return 2 * x; }\n';

async function strip(file: string, out: string) {
  const src = await fileSource(file);
  const plan = await planStrip(src, file);
  await src.close?.();
  if (plan) {
    await pipeline(strippedStream(file, plan), createWriteStream(out));
    await chmod(out, 0o755);
  }
  return plan;
}

const sections = (file: string) =>
  [...runOk('readelf', ['-SW', file]).matchAll(/^\s*\[\s*\d+\]\s+(\S+)/gm)].map((m) => m[1] as string);

test('gcc -g executable and shared object: symbols and DWARF gone, same behaviour, as small as strip --strip-all', async (t) => {
  if (
    !requireTool(t, 'gcc', 'gcc') ||
    !requireTool(t, 'readelf', 'binutils') ||
    !requireTool(t, 'strip', 'binutils')
  )
    return;
  const dir = await tempDir(t, 'distill-strip-');
  await writeFile(join(dir, 'main.c'), MAIN);
  await writeFile(join(dir, 'lib.c'), LIB);
  runOk('gcc', ['-g', '-O1', '-shared', '-fPIC', '-o', join(dir, 'libtw.so'), join(dir, 'lib.c')]);
  runOk('gcc', [
    '-g',
    '-O1',
    '-o',
    join(dir, 'app'),
    join(dir, 'main.c'),
    `-L${dir}`,
    '-ltw',
    `-Wl,-rpath,${dir}`,
  ]);
  const env = { ...process.env, LD_LIBRARY_PATH: dir };
  const before = runOk(join(dir, 'app'), ['a', 'b'], { env });
  assert.equal(before, 'ok 9 6\n');

  for (const [name, out] of [
    ['app', 'app.s'],
    ['libtw.so', 'libtw.s.so'],
  ] as const) {
    const plan = await strip(join(dir, name), join(dir, out));
    assert.ok(plan, `${name} has something to strip`);
    assert.ok(plan.dropped.includes('.symtab') && plan.dropped.some((d) => d.startsWith('.debug_')), name);
    const left = sections(join(dir, out));
    assert.ok(!left.includes('.symtab') && !left.includes('.strtab'), left.join(' '));
    assert.ok(
      left.every((s) => !s.startsWith('.debug_')),
      left.join(' '),
    );
    for (const keep of ['.dynsym', '.dynstr', '.text', '.dynamic'])
      assert.ok(left.includes(keep), `${name} keeps ${keep}`);
    const r = run('readelf', ['-a', join(dir, out)]);
    assert.equal(r.status, 0);
    assert.doesNotMatch(r.stderr, /error/i);
    assert.equal((await stat(join(dir, out))).size, plan.size);
    // binutils for comparison: ours is never bigger than strip --strip-all by more than its padding.
    runOk('strip', ['--strip-all', '-o', join(dir, `${out}.binutils`), join(dir, name)]);
    const theirs = (await stat(join(dir, `${out}.binutils`))).size;
    assert.ok(plan.size <= theirs + 4096, `${name}: ${plan.size} vs strip --strip-all ${theirs}`);
  }
  // The stripped executable against the stripped library: the same output.
  await writeFile(join(dir, 'libtw.so'), await readFile(join(dir, 'libtw.s.so')));
  assert.equal(runOk(join(dir, 'app.s'), ['a', 'b'], { env }), before);

  // Already stripped: nothing to do.
  assert.equal(await strip(join(dir, `app.s.binutils`), join(dir, 'again')), undefined);
});

test('not an ELF file, a truncated header, a 32-bit or relocatable object: left as they are', async (t) => {
  assert.equal(await planStrip(bufferSource(Buffer.from('#!/bin/sh\necho hi\n'))), undefined);
  assert.equal(await planStrip(bufferSource(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]))), undefined);
  if (!requireTool(t, 'gcc', 'gcc')) return;
  const dir = await tempDir(t, 'distill-strip-');
  await writeFile(join(dir, 'lib.c'), LIB);
  runOk('gcc', ['-g', '-c', '-o', join(dir, 'lib.o'), join(dir, 'lib.c')]);
  const obj = await fileSource(join(dir, 'lib.o'));
  t.after(() => obj.close?.());
  assert.equal(await planStrip(obj), undefined, 'ET_REL keeps its symbols');
});
