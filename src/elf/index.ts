/**
 * ELF reader: class, byte order, machine, type, interpreter, DT_NEEDED, DT_SONAME, DT_RUNPATH, static or
 * dynamic, glibc or musl — read from the headers only, to choose a base image and find missing libraries.
 * @module
 */
export { ElfError, type ElfErrorCode } from './errors.ts';
export * from './machine.ts';
export { type ElfInfo, type ElfInput, isElf, type Linkage, readElf, whichLibc } from './read-elf.ts';
export { type ByteSource, bufferSource, fileSource, handleSource, streamSource } from './source.ts';
export { planStrip, type StripPlan, strippedStream } from './strip.ts';
