/**
 * /etc/ld.so.cache without running ldconfig: the library directories an image's ld.so.conf
 * names, scanned over a root file tree, encoded in glibc's format (and read back, for checks).
 * A peer of elf/, which it reads libraries with.
 */
export * from './conf.ts';
export * from './errors.ts';
export * from './ldcache.ts';
export * from './read.ts';
export * from './rootfs.ts';
