/**
 * The debug variants' layer, as distroless's busybox_layer (experimental/busybox/commands.bzl)
 * writes it: /busybox 0755, the static binary /busybox/busybox 0755, and one absolute symlink
 * /busybox/<applet> -> /busybox/busybox per applet, all root-owned. Nothing outside /busybox: no
 * /bin/sh (the image config sets Entrypoint ["/busybox/sh"] and appends :/busybox to PATH).
 *
 * distroless takes docker-library's musl build and a hand-kept list of 381 applets; distill takes
 * Debian's busybox-static (signed, in the lock like every package) and reads the applet list from
 * the binary itself, so the links always match what the binary can do.
 */
import type { LayerEntry } from '../oci/index.ts';
import { busyboxApplets, busyboxVersion } from './busybox-applets.ts';
import { bytesEntry, readEntry, resolveHardlink } from './entry-content.ts';
import { AssembleError } from './errors.ts';

/** Where busybox-static installs its binary (before and after the merged-/usr rewrite). */
export const BUSYBOX_PACKAGE_PATHS = ['bin/busybox', 'usr/bin/busybox'] as const;

/** ELF e_machine per Debian architecture. */
const ELF_MACHINE: Record<string, number> = {
  amd64: 62,
  arm64: 183,
  armhf: 40,
  arm: 40,
  i386: 3,
  ppc64el: 21,
  ppc64le: 21,
  s390x: 22,
  riscv64: 243,
};

/** Checks that `binary` is an ELF executable for the Debian architecture `arch`. */
export function checkElfArch(binary: Buffer, arch: string, what: string): void {
  const want = ELF_MACHINE[arch];
  if (want === undefined)
    throw new AssembleError('BUSYBOX_ARCH_MISMATCH', `${what}: unknown architecture ${JSON.stringify(arch)}`);
  if (binary.length < 20 || binary.readUInt32BE(0) !== 0x7f454c46)
    throw new AssembleError('BUSYBOX_ARCH_MISMATCH', `${what} is not an ELF file`);
  const machine = binary[5] === 2 ? binary.readUInt16BE(18) : binary.readUInt16LE(18);
  if (machine !== want)
    throw new AssembleError(
      'BUSYBOX_ARCH_MISMATCH',
      `${what} is built for ELF machine ${machine}, not ${arch} (${want}): wrong-architecture package`,
    );
}

export interface BusyboxLayer {
  entries: LayerEntry[];
  /** Applet names, as `busybox --list` prints them (Debian's list includes "busybox" itself). */
  applets: string[];
  /** The names that got a symlink: every applet but "busybox", whose path is the binary. */
  links: string[];
  /** From the binary's banner, e.g. '1.37.0'. */
  version: string | undefined;
}

/**
 * The /busybox tree from the files of Debian's busybox-static package for `arch`.
 * @example const { entries } = await busyboxLayer(layerEntries(await extractDeb(deb, { cache })), 'arm64');
 */
export async function busyboxLayer(pkg: readonly LayerEntry[], arch: string): Promise<BusyboxLayer> {
  const byPath = new Map(pkg.map((e) => [e.path.replace(/^\.?\/+/, ''), e]));
  const found = BUSYBOX_PACKAGE_PATHS.map((p) => byPath.get(p)).find((e) => e !== undefined);
  const file = found && resolveHardlink(found, byPath);
  if (file?.type !== 'file')
    throw new AssembleError(
      'BUSYBOX_NOT_FOUND',
      `the package has no busybox binary at /${BUSYBOX_PACKAGE_PATHS.join(' or /')} (is it busybox-static?)`,
    );
  const binary = await readEntry(file);
  checkElfArch(binary, arch, `/${file.path}`);
  const applets = busyboxApplets(binary);
  const links = applets.filter((a) => a !== 'busybox');
  const entries: LayerEntry[] = [
    { path: 'busybox', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
    bytesEntry('busybox/busybox', binary, 0o755),
    ...links.map(
      (a): LayerEntry => ({
        path: `busybox/${a}`,
        type: 'symlink',
        linkname: '/busybox/busybox',
        mode: 0o755,
        uid: 0,
        gid: 0,
      }),
    ),
  ];
  return { entries, applets, links, version: busyboxVersion(binary) };
}
