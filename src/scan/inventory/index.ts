/**
 * The inventory of an image: every OS and language package its files record, each with a purl as
 * syft writes it — dpkg status and status.d, the apk db, node_modules, Python dist-info, Maven
 * jars, and a Node.js runtime that came from npm rather than a distro. Pure: it reads the
 * `ImageFiles` a scan made with `want: wantForInventory`; bad records are skipped with a warning.
 */
import type { ContentReducer } from '../scan.ts';
import type { ImageFiles, Inventory, PackageRecord } from '../types.ts';
import { APK_DB, apkPackages } from './apk.ts';
import type { CatalogueContext } from './context.ts';
import { dpkgPackages, wantDpkg } from './dpkg.ts';
import { javaPackages, wantJava } from './java.ts';
import { isNodeBinary, nodeBinaries, nodeVersionReducer } from './node-binary.ts';
import { npmPackages, wantNpm } from './npm.ts';
import { DEBIAN_VERSION, distroOf, OS_RELEASE } from './os-release.ts';
import { pythonPackages, wantPython } from './python.ts';

export { parseDeb822 } from './deb822.ts';
export { dep5Licenses } from './dep5.ts';
export { isSpdxId, licenseIds, SPDX_IDS, spdxId } from './licenses.ts';
export { parseOsRelease, purlDistro } from './os-release.ts';
export { type PurlParts, purl, purlEscape } from './purl.ts';

/** A record the inventory could not read (it was skipped). */
export interface InventoryWarning {
  readonly path: string;
  readonly message: string;
}

export interface InventoryOptions {
  onWarning?: (w: InventoryWarning) => void;
}

/** The scan's `want` for the inventory: which files' bytes it reads (a reducer for node binaries). */
export function wantForInventory(path: string, size: number): boolean | ContentReducer {
  if (isNodeBinary(path, size)) return nodeVersionReducer;
  return (
    (OS_RELEASE as readonly string[]).includes(path) ||
    path === APK_DB ||
    path === DEBIAN_VERSION ||
    wantDpkg(path) ||
    wantNpm(path) ||
    wantPython(path) ||
    wantJava(path, size)
  );
}

const ORDER = ['deb', 'apk', 'generic', 'npm', 'pypi', 'maven'];

/** Every package the image's files record, sorted by ecosystem, name, version, location. */
export function inventory(files: ImageFiles, opts: InventoryOptions = {}): Inventory {
  const ctx: CatalogueContext = {
    files,
    distro: distroOf({ files }),
    warn: (path, message) => opts.onWarning?.({ path, message }),
  };
  const os = [...dpkgPackages(ctx), ...apkPackages(ctx)];
  const owned = new Set(os.flatMap((p) => p.files ?? []));
  const packages: PackageRecord[] = [
    ...os,
    ...nodeBinaries(ctx, owned),
    ...npmPackages(ctx),
    ...pythonPackages(ctx),
    ...javaPackages(ctx),
  ];
  packages.sort(
    (a, b) =>
      ORDER.indexOf(a.ecosystem) - ORDER.indexOf(b.ecosystem) ||
      cmp(a.name, b.name) ||
      cmp(a.version, b.version) ||
      cmp(a.locations[0] ?? '', b.locations[0] ?? ''),
  );
  return { distro: ctx.distro, packages };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
