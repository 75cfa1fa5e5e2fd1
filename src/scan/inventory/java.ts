/**
 * Java packages inside jars and wars, as syft finds them: every
 * `META-INF/maven/GROUP/ARTIFACT/pom.properties` (groupId, artifactId, version), in the archive
 * and in the jars it nests one level down (Spring Boot's BOOT-INF/lib, a war's WEB-INF/lib).
 * A corrupt archive is skipped with a warning. purl: `pkg:maven/GROUP/ARTIFACT@VERSION`.
 * While the image is scanned each archive is read alone and reduced to what it declares (a few
 * hundred bytes), so an image of many jars never holds more than one in memory.
 */
import type { Readable } from 'node:stream';
import { zipEntries, zipRead } from '../../zip/index.ts';
import type { PackageRecord } from '../types.ts';
import { type CatalogueContext, keptPaths } from './context.ts';
import { purl } from './purl.ts';

const ARCHIVE = /\.(jar|war|ear)$/;
const POM = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
/** Larger archives are not read (the inventory is meant to stream). */
export const MAX_JAR = 128 * 1024 * 1024;
/** What a reduced archive starts with (a zip starts with `PK`). */
const SUMMARY = 'distill-jar-summary\n';

interface Found {
  group: string;
  artifact: string;
  version: string;
  location: string;
}
interface Summary {
  found: Found[];
  warnings: { location: string; message: string }[];
}

/** Files the Java cataloguer reads: a reducer per archive, keeping only its summary. */
export function wantJava(path: string, size: number): false | ((body: Readable) => Promise<Buffer>) {
  if (!ARCHIVE.test(path) || size > MAX_JAR) return false;
  return async (body) => {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.from(SUMMARY + JSON.stringify(summarise(Buffer.concat(chunks), path)));
  };
}

function properties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#!=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out.set(m[1] as string, (m[2] as string).trim());
  }
  return out;
}

/** The Maven coordinates an archive (and the archives it nests) declare, and what went wrong. */
function summarise(
  zip: Buffer,
  location: string,
  depth = 0,
  into: Summary = { found: [], warnings: [] },
): Summary {
  let entries: ReturnType<typeof zipEntries>;
  try {
    entries = zipEntries(zip, location);
  } catch (err) {
    into.warnings.push({ location, message: `${(err as Error).message}; skipped` });
    return into;
  }
  for (const e of entries) {
    try {
      if (POM.test(e.name)) {
        const p = properties(zipRead(zip, e, location).toString('utf8'));
        const [group, artifact, version] = [p.get('groupId'), p.get('artifactId'), p.get('version')];
        if (group && artifact && version) into.found.push({ group, artifact, version, location });
      } else if (depth === 0 && ARCHIVE.test(e.name) && e.size <= MAX_JAR) {
        summarise(zipRead(zip, e, location), `${location}:${e.name}`, 1, into);
      }
    } catch (err) {
      into.warnings.push({ location, message: `${(err as Error).message}; entry skipped` });
    }
  }
  return into;
}

function summaryOf(path: string, kept: Buffer): Summary {
  const head = kept.subarray(0, SUMMARY.length).toString('latin1');
  // Another `want` may have kept the whole archive: read it now.
  if (head !== SUMMARY) return summarise(kept, path);
  return JSON.parse(kept.subarray(SUMMARY.length).toString('utf8')) as Summary;
}

/** Every Maven artifact the image's archives declare. */
export function javaPackages(ctx: CatalogueContext): PackageRecord[] {
  const out: PackageRecord[] = [];
  for (const path of keptPaths(ctx, ARCHIVE)) {
    const s = summaryOf(path, ctx.files.contents.get(path) as Buffer);
    for (const w of s.warnings) ctx.warn(w.location, w.message);
    for (const f of s.found)
      out.push({
        ecosystem: 'maven',
        name: f.artifact,
        version: f.version,
        licenses: [],
        purl: purl({ type: 'maven', namespace: f.group, name: f.artifact, version: f.version }),
        locations: [f.location],
      });
  }
  return out;
}
