/**
 * The JDK packages an application refers to, as jdeps finds them: every class in the jar (and
 * in jars nested in it, as Spring Boot's BOOT-INF/lib and WEB-INF/lib hold them, and in its
 * Class-Path libraries) is read for the classes its constant pool names. Packages the
 * application defines itself are dropped; what is left that could be the JDK's (java.*, javax.*,
 * jdk.*, sun.*, com.sun.*, org.w3c.*, org.xml.*, org.ietf.*) is mapped to modules at build time,
 * against the JDK that links the runtime.
 */
import { classRefs } from './classfile.ts';
import { zipEntries, zipRead } from './zip.ts';

/** Prefixes of the packages JDK modules export (internal form). */
const JDK_PREFIXES = [
  'java/',
  'javax/',
  'jdk/',
  'sun/',
  'com/sun/',
  'org/w3c/',
  'org/xml/',
  'org/ietf/',
  'org/jcp/',
];

/** What the scan found so far. */
export interface RefScan {
  /** Packages referred to (internal form). */
  referred: Set<string>;
  /** Packages that have classes in the application. */
  defined: Set<string>;
  classes: number;
  jars: number;
}

export const newRefScan = (): RefScan => ({ referred: new Set(), defined: new Set(), classes: 0, jars: 0 });

/** Nested jars deeper than this are not opened (a jar of jars of jars is not a class path). */
const MAX_DEPTH = 3;

/** Adds one jar's classes (and its nested jars') to the scan. */
export function scanJar(zip: Buffer, what: string, scan: RefScan, depth = 0): void {
  scan.jars++;
  for (const e of zipEntries(zip, what)) {
    if (e.name.endsWith('.class')) scanClass(zipRead(zip, e, what), `${what}!${e.name}`, scan);
    else if (e.name.endsWith('.jar') && depth < MAX_DEPTH)
      scanJar(zipRead(zip, e, what), `${what}!${e.name}`, scan, depth + 1);
  }
}

/** Adds one class file to the scan (module-info and package-info included: they refer too). */
export function scanClass(bytes: Buffer, what: string, scan: RefScan): void {
  const r = classRefs(bytes, what);
  scan.classes++;
  if (r.own) scan.defined.add(r.own);
  for (const p of r.packages) scan.referred.add(p);
}

/** The JDK-candidate packages referred to and not defined by the app, dotted and sorted. */
export function jdkPackages(scan: RefScan): string[] {
  return [...scan.referred]
    .filter((p) => !scan.defined.has(p) && JDK_PREFIXES.some((x) => p.startsWith(x)))
    .map((p) => p.replace(/\//g, '.'))
    .sort();
}
