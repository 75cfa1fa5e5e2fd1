/** Test helper: the facts readElf reports, as binutils' readelf prints them. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { ElfInfo } from '../read-elf.ts';

export interface ReadelfFacts {
  bits: 32 | 64;
  endian: 'little' | 'big';
  type: string;
  machine: string;
  interpreter?: string;
  needed: string[];
  soname?: string;
  runpath?: string;
  rpath?: string;
  hasDynamic: boolean;
}

/** readelf's machine names for the e_machine values tests meet. */
export const READELF_MACHINES: Record<string, number> = {
  'Advanced Micro Devices X86-64': 62,
  AArch64: 183,
  'Intel 80386': 3,
  ARM: 40,
  'IBM S/390': 22,
  PowerPC64: 21,
  'RISC-V': 243,
};

export function readelfFacts(path: string): ReadelfFacts {
  const out = execFileSync('readelf', ['-h', '-l', '-d', '-W', path], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
    maxBuffer: 64 << 20,
  });
  const one = (re: RegExp) => re.exec(out)?.[1];
  const all = (re: RegExp) => [...out.matchAll(re)].map((m) => m[1] as string);
  const facts: ReadelfFacts = {
    bits: one(/Class:\s+ELF(32|64)/) === '32' ? 32 : 64,
    endian: /Data:.*big endian/.test(out) ? 'big' : 'little',
    type: one(/^\s*Type:\s+(\w+)/m) ?? '',
    machine: (one(/^\s*Machine:\s+(.*)$/m) ?? '').trim(),
    needed: all(/\(NEEDED\)\s+Shared library: \[(.*)\]/g),
    hasDynamic: /Dynamic section at offset/.test(out),
  };
  const interp = one(/\[Requesting program interpreter: (.*)\]/);
  if (interp !== undefined) facts.interpreter = interp;
  const soname = one(/\(SONAME\)\s+Library soname: \[(.*)\]/);
  if (soname !== undefined) facts.soname = soname;
  const runpath = one(/\(RUNPATH\)\s+Library runpath: \[(.*)\]/);
  if (runpath !== undefined) facts.runpath = runpath;
  const rpath = one(/\(RPATH\)\s+Library rpath: \[(.*)\]/);
  if (rpath !== undefined) facts.rpath = rpath;
  return facts;
}

/** Asserts readElf agrees with readelf on every fact both report. */
export function assertMatchesReadelf(info: ElfInfo, path: string): void {
  const r = readelfFacts(path);
  assert.equal(info.bits, r.bits, `${path}: class`);
  assert.equal(info.endian, r.endian, `${path}: byte order`);
  assert.equal(info.type, r.type.toLowerCase(), `${path}: type`);
  assert.equal(info.machine, READELF_MACHINES[r.machine], `${path}: machine ${r.machine}`);
  assert.equal(info.interpreter, r.interpreter, `${path}: interpreter`);
  assert.deepEqual(info.needed, r.needed, `${path}: DT_NEEDED`);
  assert.equal(info.soname, r.soname, `${path}: DT_SONAME`);
  assert.equal(info.runpath.length ? info.runpath.join(':') : undefined, r.runpath, `${path}: DT_RUNPATH`);
  assert.equal(info.rpath.length ? info.rpath.join(':') : undefined, r.rpath, `${path}: DT_RPATH`);
  assert.equal(info.hasDynamic, r.hasDynamic, `${path}: dynamic section`);
}
