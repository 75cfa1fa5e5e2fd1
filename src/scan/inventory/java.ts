/**
 * Java packages inside jars and wars, as syft finds them: every
 * `META-INF/maven/GROUP/ARTIFACT/pom.properties` (groupId, artifactId, version), in the archive
 * and in the jars it nests one level down (Spring Boot's BOOT-INF/lib, a war's WEB-INF/lib).
 * A corrupt archive is skipped with a warning. purl: `pkg:maven/GROUP/ARTIFACT@VERSION`.
 */
import { zipEntries, zipRead } from '../../zip/index.ts';
import type { PackageRecord } from '../types.ts';
import { type CatalogueContext, keptPaths } from './context.ts';
import { purl } from './purl.ts';

const ARCHIVE = /\.(jar|war|ear)$/;
const POM = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
/** Larger archives are not read into memory (the inventory is meant to stream). */
export const MAX_JAR = 128 * 1024 * 1024;

/** Files the Java cataloguer reads. */
export const wantJava = (path: string, size: number): boolean => ARCHIVE.test(path) && size <= MAX_JAR;

function properties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#!=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out.set(m[1] as string, (m[2] as string).trim());
  }
  return out;
}

function fromZip(ctx: CatalogueContext, zip: Buffer, location: string, depth: number): PackageRecord[] {
  const out: PackageRecord[] = [];
  let entries: ReturnType<typeof zipEntries>;
  try {
    entries = zipEntries(zip, location);
  } catch (err) {
    ctx.warn(location, `${(err as Error).message}; skipped`);
    return out;
  }
  for (const e of entries) {
    try {
      if (POM.test(e.name)) {
        const p = properties(zipRead(zip, e, location).toString('utf8'));
        const group = p.get('groupId');
        const artifact = p.get('artifactId');
        const version = p.get('version');
        if (!group || !artifact || !version) continue;
        out.push({
          ecosystem: 'maven',
          name: artifact,
          version,
          licenses: [],
          purl: purl({ type: 'maven', namespace: group, name: artifact, version }),
          locations: [location],
        });
      } else if (depth === 0 && ARCHIVE.test(e.name) && e.size <= MAX_JAR) {
        out.push(...fromZip(ctx, zipRead(zip, e, location), `${location}:${e.name}`, 1));
      }
    } catch (err) {
      ctx.warn(location, `${(err as Error).message}; entry skipped`);
    }
  }
  return out;
}

/** Every Maven artifact the image's archives declare. */
export function javaPackages(ctx: CatalogueContext): PackageRecord[] {
  return keptPaths(ctx, ARCHIVE).flatMap((path) =>
    fromZip(ctx, ctx.files.contents.get(path) as Buffer, path, 0),
  );
}
