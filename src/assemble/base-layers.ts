/**
 * What goes into each layer of a catalogue image: package files with their status.d records,
 * plus what maintainer scripts would have made (CA bundle, Java trust store, symlinks,
 * ld.so.cache, the C.utf8 locale) and the files distroless adds (passwd, group, os-release, ...).
 */
import type { BaseImageSpec } from '../catalogue/index.ts';
import { CatalogueError } from '../catalogue/index.ts';
import type { PackageContents } from '../debian/index.ts';
import { buildLdSoCache, entriesRootFs, ldSoCacheLayerEntry } from '../ldcache/index.ts';
import type { NodeRuntime } from '../npm/index.ts';
import { type LayerEntry, rootSymlink } from '../oci/index.ts';
import { busyboxLayer } from './busybox.ts';
import { caBundle } from './ca-bundle.ts';
import { javaKeystoreEntries } from './java-keystore.ts';
import { rootFiles } from './root-files.ts';

/** The packages' own files and their status.d records. */
export function packageEntries(contents: readonly PackageContents[]): LayerEntry[] {
  return contents.flatMap((c) => [...c.files, ...c.statusD]);
}

/** The root layer: its packages, the CA bundle (ca-certificates' status.d kept), distroless's files last so they win. */
export async function rootLayerEntries(
  debian: 12 | 13,
  contents: readonly PackageContents[],
  ca: PackageContents,
): Promise<LayerEntry[]> {
  const bundle = await caBundle(ca.files);
  return [...packageEntries(contents), ...bundle.entries, ...ca.statusD, ...rootFiles(debian)];
}

/**
 * The C.utf8 locale and its copyright from libc-bin, which is not installed (no ldconfig, iconv,
 * ...), with libc-bin's status.d record, as distroless's java-base does: the locale's files are
 * libc-bin's, and an SBOM must be able to say so.
 */
export function localeEntries(libcBin: PackageContents): LayerEntry[] {
  return [
    ...libcBin.files.filter(
      (e) =>
        e.path === 'usr/lib/locale/C.utf8' ||
        e.path.startsWith('usr/lib/locale/C.utf8/') ||
        e.path === 'usr/share/doc/libc-bin/copyright',
    ),
    ...libcBin.statusD,
  ];
}

export interface RuntimeInputs {
  spec: BaseImageSpec;
  arch: string;
  packages: readonly PackageContents[];
  libcBin: PackageContents;
  ca: PackageContents;
  node?: NodeRuntime;
  /** Every entry of the layers below, for ld.so.cache. */
  below: readonly LayerEntry[];
  libcVersion: string;
}

/** The runtime layer of python3, nodejsNN or javaNN. */
export async function runtimeLayerEntries(r: RuntimeInputs): Promise<LayerEntry[]> {
  const rt = r.spec.runtime;
  const own = packageEntries(r.packages);
  if (!rt) return own;
  if (rt.kind === 'node') {
    if (!r.node)
      throw new CatalogueError('CATALOGUE_PACKAGE_MISSING', `${r.spec.name}: no Node.js runtime in the plan`);
    return [...own, ...r.node.entries];
  }
  if (rt.kind === 'python') {
    const py = `python${rt.version}`;
    // libc-bin is one of the layer's packages (catalogue): ldconfig for ctypes, ld.so.conf, C.utf8.
    // A lock made before it was (it pins what it pins) gets ldconfig and the locale alone, as then.
    const hasLibcBin = r.packages.some((c) => c.pkg.name === 'libc-bin');
    const fromLibcBin = hasLibcBin
      ? []
      : [
          ...localeEntries(r.libcBin),
          ...r.libcBin.files.filter((e) => e.path === 'usr/sbin/ldconfig' || e.path === 'sbin/ldconfig'),
        ];
    const entries = [
      ...own,
      ...fromLibcBin,
      rootSymlink('usr/bin/python3', py),
      rootSymlink('usr/bin/python', py),
    ];
    // ctypes.util.find_library reads ld.so.cache: write the one ldconfig would have written.
    const cache = await buildLdSoCache(entriesRootFs([...r.below, ...entries]), {
      arch: r.arch,
      libcVersion: r.libcVersion,
    });
    return [...entries, ldSoCacheLayerEntry(cache.bytes)];
  }
  const jvm = `usr/lib/jvm/java-${rt.version}-openjdk-${r.arch}`;
  if (!own.some((e) => e.path === `${jvm}/bin/java`)) {
    throw new CatalogueError('CATALOGUE_PACKAGE_MISSING', `${r.spec.name}: openjdk has no ${jvm}/bin/java`);
  }
  // What update-alternatives would have made, without /etc/alternatives; the locale and the
  // trust store are java-base's.
  return [...own, rootSymlink('usr/bin/java', `/${jvm}/bin/java`)];
}

/**
 * java-base's layer: its packages (fonts, freetype, fontconfig, harfbuzz, zlib, ...), the C.utf8
 * locale (LANG=C.UTF-8) and the Java trust store /etc/ssl/certs/java/cacerts made from the CA
 * bundle, which every JVM on it (Debian's JRE, a jlinked runtime) reads.
 */
export async function javaBaseLayerEntries(
  packages: readonly PackageContents[],
  libcBin: PackageContents,
  ca: PackageContents,
): Promise<LayerEntry[]> {
  const bundle = await caBundle(ca.files);
  return [...packageEntries(packages), ...localeEntries(libcBin), ...javaKeystoreEntries(bundle.bundle)];
}

/**
 * The jdk layer of javaNN's debug variants: Debian's JDK (same java.home as the JRE below) and a
 * /usr/bin link for each of its tools, as update-alternatives would make (jcmd, jstack, jmap,
 * jshell, javac, jlink, ...), so `docker exec C jcmd 1 VM.version` finds them on PATH.
 */
export function jdkLayerEntries(
  spec: BaseImageSpec,
  arch: string,
  packages: readonly PackageContents[],
): LayerEntry[] {
  const rt = spec.runtime;
  const own = packageEntries(packages);
  if (rt?.kind !== 'java') return own;
  const bin = `usr/lib/jvm/java-${rt.version}-openjdk-${arch}/bin/`;
  const tools = own.filter(
    (e) => e.path.startsWith(bin) && !e.path.slice(bin.length).includes('/') && e.type === 'file',
  );
  if (!tools.some((e) => e.path === `${bin}jcmd`))
    throw new CatalogueError('CATALOGUE_PACKAGE_MISSING', `${spec.name}: the JDK has no ${bin}jcmd`);
  return [...own, ...tools.map((e) => rootSymlink(`usr/bin/${e.path.slice(bin.length)}`, `/${e.path}`))];
}

/**
 * The debug layer: Debian's static busybox under /busybox, one symlink per applet, and
 * busybox-static's status.d record, so scanners see the busybox version the debug image carries
 * (distroless's musl busybox has none; Debian's package has one to give).
 */
export async function debugLayerEntries(busybox: PackageContents, arch: string): Promise<LayerEntry[]> {
  return [...(await busyboxLayer(busybox.files, arch)).entries, ...busybox.statusD];
}
