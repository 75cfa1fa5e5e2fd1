/**
 * The Java detector: a runnable jar (a manifest with Main-Class) in target/, build/libs/ or the
 * project directory, or the jar distill.yaml names in `main`. The base is the catalogue's Java
 * for the release (java21 on Debian 13 — java25 when the main class needs it — java17 on 12),
 * chosen from the main class's class-file version. The jar goes to /app/app.jar; the libraries
 * its Class-Path names go in their own layer below it, at the same relative paths.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { parseDebianRelease } from '../../../debian/index.ts';
import type { LayerEntry } from '../../../oci/index.ts';
import { AppError } from '../../errors.ts';
import { dirChain, treeEntries } from '../../layout.ts';
import { commonPlan } from '../../plan-common.ts';
import { assertInProject, resolveInProject } from '../../project-path.ts';
import type { AppConfig, AppPlan, DetectContext, Detector, JlinkPlan } from '../../types.ts';
import { jdkPackages, newRefScan, scanClass, scanJar } from './jdk-refs.ts';
import { parseManifest, zipEntries, zipRead } from './zip.ts';

/** Java versions of the catalogue per Debian release, oldest first. */
const JAVA: Record<number, number[]> = { 13: [21, 25], 12: [17] };
/** Where build tools put jars, in the order looked at. */
const JAR_DIRS = ['target', 'build/libs', '.'];
const NOT_RUNNABLE = /(-sources|-javadoc|-tests|-plain)\.jar$|^original-/;

/** What a jar's manifest says. */
export interface JarInfo {
  mainClass?: string;
  classPath: string[];
  /** Java version the main class was compiled for (class-file major − 44). */
  classVersion?: number;
}

/** Reads the manifest (and the main class's version) of a jar held in memory. */
export function readJar(zip: Buffer, what = 'jar'): JarInfo {
  const entries = zipEntries(zip, what);
  const mf = entries.find((e) => e.name === 'META-INF/MANIFEST.MF');
  if (!mf) return { classPath: [] };
  const fields = parseManifest(zipRead(zip, mf, what).toString('utf8'));
  const mainClass = fields.get('Main-Class');
  const classPath = (fields.get('Class-Path') ?? '').split(/\s+/).filter(Boolean);
  let classVersion: number | undefined;
  const cls = mainClass && entries.find((e) => e.name === `${mainClass.replace(/\./g, '/')}.class`);
  if (cls) {
    const bytes = zipRead(zip, cls, what);
    if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0xcafebabe) classVersion = bytes.readUInt16BE(6) - 44;
  }
  return {
    ...(mainClass ? { mainClass } : {}),
    classPath,
    ...(classVersion !== undefined ? { classVersion } : {}),
  };
}

async function jarsIn(dir: string, sub: string): Promise<string[]> {
  const names = await readdir(join(dir, sub)).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.jar') && !NOT_RUNNABLE.test(n))
    .sort()
    .map((n) => (sub === '.' ? n : `${sub}/${n}`));
}

async function findJar(
  dir: string,
  config: AppConfig,
  ctx: DetectContext,
): Promise<{ rel: string; info: JarInfo } | undefined> {
  if (config.main?.endsWith('.jar')) {
    const rel = config.main.replace(/^\.\//, '');
    const found = await resolveInProject(dir, rel, 'main', true);
    const bytes = found && (await readFile(found.abs).catch(() => undefined));
    if (!bytes)
      throw new AppError(
        'APP_JAVA_JAR_NOT_FOUND',
        `main ${JSON.stringify(rel)} is not a file in the project`,
      );
    const info = readJar(bytes, rel);
    if (!info.mainClass)
      throw new AppError(
        'APP_JAVA_JAR_NOT_FOUND',
        `${rel} has no Main-Class in its manifest: it is not a runnable jar`,
      );
    return { rel, info };
  }
  for (const sub of JAR_DIRS) {
    const runnable: { rel: string; info: JarInfo }[] = [];
    for (const rel of await jarsIn(dir, sub)) {
      if (ctx.ignored(rel)) continue;
      const info = readJar(await readFile(join(dir, rel)), rel);
      if (info.mainClass) runnable.push({ rel, info });
    }
    if (runnable.length > 1)
      throw new AppError(
        'APP_JAVA_JAR_NOT_FOUND',
        `several runnable jars in ${sub}: ${runnable.map((r) => r.rel).join(', ')}; set main: in distill.yaml to choose`,
      );
    if (runnable[0]) return runnable[0];
  }
  return undefined;
}

async function detectJava(dir: string, config: AppConfig, ctx: DetectContext): Promise<AppPlan | undefined> {
  const found = await findJar(dir, config, ctx);
  if (!found) {
    if (config.kind === 'java')
      throw new AppError(
        'APP_JAVA_JAR_NOT_FOUND',
        `no runnable jar (with Main-Class) in ${JAR_DIRS.join(', ')}: build it first (mvn package / gradle build)`,
      );
    return undefined;
  }
  const { rel, info } = found;
  const reasons = [`Java application: ${rel}, Main-Class ${info.mainClass}`];
  const debian = parseDebianRelease(config.debian ?? 13);
  const versions = JAVA[debian] ?? [];
  let base = config.base;
  let java = versions[0] as number;
  if (info.classVersion !== undefined) {
    const fit = versions.find((v) => v >= (info.classVersion as number));
    if (fit === undefined && !base)
      throw new AppError(
        'APP_JAVA_VERSION_MISMATCH',
        `${info.mainClass} is compiled for Java ${info.classVersion}, newer than Debian ${debian}'s Java (${versions.join(', ')}): compile with --release ${versions.at(-1)}`,
      );
    java = fit ?? java;
    reasons.push(`${info.mainClass} is compiled for Java ${info.classVersion}`);
  }
  base ??= config.jlink ? 'java-base' : `java${java}`;
  reasons.push(
    config.base
      ? `base ${config.base} from the config`
      : config.jlink
        ? `base java-base (debian${debian}) with a runtime jlinked from Java ${java}`
        : `base java${java} (debian${debian})`,
  );

  const { appDir, writable, owner: user, fields } = commonPlan(config, ctx);
  const layers: AppPlan['layers'] = [];
  const warnings: string[] = [];
  // Class-Path entries are URLs relative to the jar; the jar moves to appDir, so they go under it too.
  const jarDir = dirname(join(dir, rel));
  const libEntries: LayerEntry[] = [];
  const libKey: unknown[] = [];
  for (const cp of info.classPath) {
    const relPath = posix.normalize(decodeURIComponent(cp));
    if (relPath.startsWith('../') || relPath.startsWith('/') || /^[a-z]+:/i.test(cp))
      throw new AppError(
        'APP_PATH_INVALID',
        `${rel}: Class-Path entry ${cp} points outside the jar's directory`,
      );
    const host = join(jarDir, relPath);
    const st = await stat(host).catch(() => undefined);
    if (!st) {
      warnings.push(`${rel}: Class-Path entry ${cp} is not in ${relative(dir, jarDir) || '.'}; left out`);
      continue;
    }
    await assertInProject(dir, host, `${rel}: Class-Path entry ${cp}`);
    const dest = posix.join(appDir, relPath);
    if (st.isDirectory()) {
      const t = await treeEntries({
        hashes: ctx.hashes,
        root: host,
        dest,
        writable,
        user,
      });
      libEntries.push(...t.entries);
      libKey.push([cp, t.fingerprint]);
    } else {
      libEntries.push(...dirChain(posix.dirname(dest), writable, user), fileEntry(host, dest, st.size));
      libKey.push([cp, await ctx.hashes.of(host, st)]);
    }
  }
  if (libEntries.length) {
    const unique = [...new Map(libEntries.map((e) => [e.path, e])).values()];
    layers.push({
      name: 'deps',
      entries: async () => unique,
      key: { kind: 'java-libs', appDir, user, libs: libKey },
    });
    reasons.push(
      `${info.classPath.length} Class-Path entr${info.classPath.length === 1 ? 'y' : 'ies'} in their own layer`,
    );
  }
  const jarHost = await assertInProject(dir, join(dir, rel), `jar ${rel}`);
  const jarSt = await stat(jarHost);
  const jarPath = posix.join(appDir, 'app.jar');
  layers.push({
    name: 'app',
    entries: async () => [...dirChain(appDir, writable, user), fileEntry(jarHost, jarPath, jarSt.size)],
    key: { kind: 'java-app', jarPath, sha256: await ctx.hashes.of(jarHost, jarSt), writable, user },
  });
  const jlink = config.jlink ? await jlinkPlan(dir, rel, jarDir, info.classPath, java, config) : undefined;
  if (jlink)
    reasons.push(
      `jlink: ${jlink.classes} classes in ${jlink.jars} jar(s) refer to ${jlink.packages.length} JDK packages${jlink.addModules.length ? `; --add-modules ${jlink.addModules.join(',')}` : ''}`,
    );
  return {
    kind: 'java',
    reasons,
    base,
    ...(jlink ? { jlink } : {}),
    entrypoint: ['/usr/bin/java', '-jar', jarPath],
    env: {},
    ...fields,
    layers,
    elfFiles: [],
    runtime: {
      kind: 'java',
      version: java,
      from:
        info.classVersion !== undefined
          ? `class-file version of ${info.mainClass}`
          : `debian${debian}'s default`,
    },
    warnings,
  };
}

/** What the jlinked runtime must hold: the JDK packages the jar and its Class-Path libraries refer to. */
async function jlinkPlan(
  dir: string,
  rel: string,
  jarDir: string,
  classPath: readonly string[],
  java: number,
  config: AppConfig,
): Promise<JlinkPlan> {
  const scan = newRefScan();
  scanJar(await readFile(join(dir, rel)), rel, scan);
  for (const cp of classPath) {
    const host = join(jarDir, posix.normalize(decodeURIComponent(cp)));
    const st = await stat(host).catch(() => undefined);
    if (st?.isFile() && host.endsWith('.jar')) scanJar(await readFile(host), cp, scan);
    else if (st?.isDirectory()) {
      const names = (await readdir(host, { recursive: true })).sort();
      for (const n of names) {
        if (n.endsWith('.class')) scanClass(await readFile(join(host, n)), `${cp}/${n}`, scan);
        else if (n.endsWith('.jar')) scanJar(await readFile(join(host, n)), `${cp}/${n}`, scan);
      }
    }
  }
  return {
    java,
    packages: jdkPackages(scan),
    addModules: [...new Set(config.addModules ?? [])].sort(),
    keepAll: config.jlinkKeepAll === true,
    classes: scan.classes,
    jars: scan.jars,
  };
}

function fileEntry(host: string, imagePath: string, size: number): LayerEntry {
  return {
    path: imagePath.slice(1),
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size,
    content: () => readFile(host),
  };
}

export const javaDetector: Detector = {
  name: 'java',
  looksFor: 'a runnable jar with Main-Class in target/, build/libs/ or the directory (Java)',
  detect: detectJava,
};
