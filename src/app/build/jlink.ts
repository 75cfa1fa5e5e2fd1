/**
 * `distill build --jlink`: a Java runtime with only the modules the app needs, as one layer on
 * java-base, made without a JDK on the host. Debian's JDK comes as distill's own catalogue image
 * `javaNN:debug` (its jdk layer has jlink and the jmods), unpacked once into the cache as `distill
 * run` unpacks images; the packages the app's classes refer to (found by the detector) are mapped
 * to modules through the jmods' class lists, and jlink runs in that root with runc (jlink-runc.ts). The output lands at
 * /usr/lib/jvm/java-NN-jlink with /usr/bin/java pointing at it; its trust store is java-base's
 * (/etc/ssl/certs/java/cacerts), and its shared objects lose their symbol tables.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { type CachedLayer, cachedLayer } from '../../assemble/index.ts';
import { fileSource, planStrip, strippedStream } from '../../elf/index.ts';
import { holdTemp } from '../../files/index.ts';
import { canonicalJson, type Image, type LayerEntry, rootDir, rootSymlink, sha256 } from '../../oci/index.ts';
import { classLinks, moduleRequires } from '../detect/java/classfile.ts';
import { zipEntries, zipRead } from '../detect/java/zip.ts';
import { AppError } from '../errors.ts';
import type { JlinkPlan } from '../types.ts';
import { jdkImages } from './jlink-jdk.ts';
import { jdkRootfs, jlinkRunc, runcRun } from './jlink-runc.ts';
import { type DesktopIndex, desktopTrim, type JmodFile, type TrimDecision } from './jlink-trim.ts';
import type { AppRun } from './steps-project.ts';

/**
 * jlink's options besides the modules: no debug attributes, headers or man pages; the modules
 * file with shared constant strings (`--compress=1`, lossless, read by the runtime's jimage
 * reader) and no zip: measured on the Spring-sized bench (java21, gzip layer), the runtime layer
 * is 26.6 MB with it, 27.9 MB without, 35.8 MB with zip-6 and 37.2 MB with zip-1 (zipped
 * resources defeat the layer's gzip); start-up to the first HTTP answer was not slower. JDK 25's
 * jlink warns that the value is deprecated, and still does it. No CDS archive
 * (`--generate-cds-archive` adds 7.3 MB for a start-up about 0.1-0.2 s shorter). Debian's
 * --strip-debug would also run objcopy, which the JDK image does not have; the ELF files are
 * stripped here instead.
 */
export const JLINK_OPTIONS = [
  '--strip-java-debug-attributes',
  '--no-header-files',
  '--no-man-pages',
  '--compress=1',
  // What Debian's headless JRE leaves to openjdk-NN-jre: the X11 toolkit, AWT's native interface
  // and the splash screen, which need libX11 and friends, which java-base does not have.
  '--exclude-files=**/lib/libawt_xawt.so,**/lib/libjawt.so,**/lib/libsplashscreen.so',
];
/** Modules added to every runtime: the EC crypto provider (TLS with ECDHE and EC certificates), where it is a module of its own. */
const ALWAYS = ['java.base', 'jdk.crypto.ec'];

export interface JlinkRuntime {
  layer: CachedLayer;
  /** The runtime's modules (what jlink was asked for; it adds what they require). */
  modules: string[];
  /** JAVA_VERSION from the runtime's release file (`21.0.13.1`). */
  javaVersion: string;
  /** Where the runtime is in the image (`/usr/lib/jvm/java-21-jlink`). */
  home: string;
  /** The JDK image it was linked with. */
  jdk: string;
  /** What was left out of java.desktop (nothing when the app uses AWT, or with keepAll). */
  trim: TrimDecision;
}

interface Remembered {
  modules: string[];
  javaVersion: string;
  trim: TrimDecision;
}

/** jlink's options: JLINK_OPTIONS with the trim's exclusions merged in (one --exclude-files). */
export function jlinkOptions(trim: TrimDecision): string[] {
  const opts = JLINK_OPTIONS.map((o) =>
    o.startsWith('--exclude-files=') && trim.excludeFiles.length ? `${o},${trim.excludeFiles.join(',')}` : o,
  );
  return trim.excludeResources.length
    ? [...opts, `--exclude-resources=${trim.excludeResources.join(',')}`]
    : opts;
}

/** The jlinked runtime layer of `arch` (from the layer cache when the same JDK linked the same modules). */
export async function jlinkRuntime(run: AppRun, jl: JlinkPlan, arch: string): Promise<JlinkRuntime> {
  run.emit({ type: 'step', message: `jlink: the JDK of java${jl.java}:debug (${arch})` });
  const jdkBuild = await jdkImages(run, jl);
  const jdk = jdkBuild.images[run.project.archs.indexOf(arch)] as Image;
  const home = `/usr/lib/jvm/java-${jl.java}-jlink`;
  const key = {
    jlink: 6,
    jdk: jdk.descriptor.digest,
    packages: jl.packages,
    add: jl.addModules,
    keepAll: jl.keepAll,
    opts: JLINK_OPTIONS,
    home,
  };
  const metaKey = `jlink-runtime:v1:${sha256(canonicalJson(key))}`;
  let meta = await run.o.cache.getJson<Remembered>(metaKey);
  if (meta && !Array.isArray(meta.trim?.groups)) meta = undefined;
  let work: string | undefined;
  let release: (() => void) | undefined;
  try {
    const make = async () => {
      work ??= await mkdtemp(join(tmpdir(), 'distill-jlink-'));
      release ??= holdTemp(work);
      const made = await link(run, jl, arch, jdk, work, home);
      meta = { modules: made.modules, javaVersion: made.javaVersion, trim: made.trim };
      await run.o.cache.putJson(metaKey, meta);
      return made.entries;
    };
    const opts = { ...run.layerOpts, ...run.writing('runtime', arch) };
    let layer = await cachedLayer(run.o.cache, { app: 'jlink-runtime', key }, make, opts);
    // The module list is remembered beside the layer; a layer found without it (evicted) is linked again.
    if (!meta)
      layer = await cachedLayer(run.o.cache, { app: 'jlink-runtime', key, again: Date.now() }, make, opts);
    const m = meta as Remembered | undefined;
    if (!m) throw new AppError('APP_JLINK_FAILED', 'the jlinked runtime is cached without its module list');
    return {
      layer,
      modules: m.modules,
      javaVersion: m.javaVersion,
      home,
      jdk: jdkBuild.spec.name,
      trim: m.trim,
    };
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
    release?.();
  }
}

/** Unpacks the JDK, maps packages to modules, runs jlink, and makes the layer's entries. */
async function link(
  run: AppRun,
  jl: JlinkPlan,
  arch: string,
  jdk: Image,
  work: string,
  home: string,
): Promise<{ entries: LayerEntry[]; modules: string[]; javaVersion: string; trim: TrimDecision }> {
  jlinkRunc(); // before anything is unpacked
  run.emit({
    type: 'step',
    message: `jlink: the JDK image's files (${jdk.layers.length} layers, unpacked once)`,
  });
  const tree = await jdkRootfs(jdk, run.o.cache.root, work);
  const rootfs = tree.path;
  const out = join(work, 'out');
  let trim: TrimDecision;
  let modules: string[];
  try {
    const jdkHome = `usr/lib/jvm/java-${jl.java}-openjdk-${arch}`;
    const { byPackage, desktop } = await jmodIndex(join(rootfs, jdkHome, 'jmods'));
    const known = new Set(byPackage.values());
    for (const m of jl.addModules)
      if (!known.has(m))
        throw new AppError(
          'APP_JLINK_MODULE_UNKNOWN',
          `--add-modules ${m}: the JDK of java${jl.java} has no module ${m} (it has ${[...known].sort().join(', ')})`,
        );
    modules = [
      ...new Set([
        ...ALWAYS.filter((m) => known.has(m)),
        ...jl.packages.flatMap((p) => byPackage.get(p) ?? []),
        ...jl.addModules,
      ]),
    ].sort();
    run.emit({ type: 'step', message: `jlink: ${modules.length} modules: ${modules.join(',')}` });
    trim = desktopTrim(jl.packages, modules, desktop, jl.keepAll);
    run.emit({ type: 'step', message: `jlink: ${trim.why}` });
    await mkdir(out);
    await runcRun({
      rootfs,
      work,
      out,
      outMount: '/jlink-out',
      args: [
        `/${jdkHome}/bin/jlink`,
        '-J-XX:-UsePerfData',
        '--add-modules',
        modules.join(','),
        '--output',
        '/jlink-out/jre',
        ...jlinkOptions(trim),
      ],
      env: ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8'],
    });
  } finally {
    await tree.release();
  }
  const jre = join(out, 'jre');
  const releaseFile = await readFile(join(jre, 'release'), 'utf8').catch(() => '');
  const javaVersion = /^JAVA_VERSION="([^"]+)"/m.exec(releaseFile)?.[1];
  if (!javaVersion)
    throw new AppError('APP_JLINK_FAILED', `jlink wrote no release file with JAVA_VERSION in ${jre}`);
  const entries = await runtimeEntries(jre, home.slice(1));
  return { entries, modules, javaVersion, trim };
}

/**
 * Which module holds each package, from the JDK's jmods: a jmod is a 4-byte header ("JM", 1, 0)
 * and a zip whose classes/ folder has the module's classes. Also what the java.desktop trim
 * needs: java.desktop's files by package, and every module's requires.
 */
export async function jmodIndex(
  dir: string,
): Promise<{ byPackage: Map<string, string>; desktop: DesktopIndex }> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.jmod')).sort();
  if (!names.length)
    throw new AppError('APP_JLINK_FAILED', `the JDK has no jmods in ${dir}: jlink cannot link it`);
  const map = new Map<string, string>();
  const desktop: DesktopIndex = {
    files: new Map<string, JmodFile[]>(),
    links: new Map(),
    requires: new Map(),
  };
  for (const n of names) {
    const module = n.slice(0, -'.jmod'.length);
    const bytes = await readFile(join(dir, n));
    if (bytes.length < 4 || bytes.toString('latin1', 0, 2) !== 'JM')
      throw new AppError('APP_JLINK_FAILED', `${n} is not a jmod (no JM header)`);
    const zip = bytes.subarray(4);
    const all = zipEntries(zip, n);
    for (const e of all) {
      if (!e.name.startsWith('classes/')) continue;
      const path = e.name.slice('classes/'.length);
      const i = path.lastIndexOf('/');
      if (i < 0 || path.startsWith('META-INF/') || path.endsWith('/')) continue;
      const pkg = path.slice(0, i).replace(/\//g, '.');
      if (e.name.endsWith('.class')) map.set(pkg, module);
      if (module === 'java.desktop') {
        const list = desktop.files.get(pkg) ?? [];
        list.push({ name: path.slice(i + 1), size: e.size });
        desktop.files.set(pkg, list);
        if (e.name.endsWith('.class'))
          desktop.links.set(
            path.slice(0, -'.class'.length),
            classLinks(zipRead(zip, e, n), `${n}!${path}`).refs,
          );
      }
    }
    const info = all.find((e) => e.name === 'classes/module-info.class');
    if (info) desktop.requires.set(module, moduleRequires(zipRead(zip, info, n), `${n}!module-info.class`));
  }
  return { byPackage: map, desktop };
}

/** Which module holds each package (dotted), from the JDK's jmods. */
export async function jmodPackages(dir: string): Promise<Map<string, string>> {
  return (await jmodIndex(dir)).byPackage;
}

/**
 * The runtime's files at `dest`, owned by root, with ELF files stripped of their symbol tables,
 * lib/security/cacerts pointing at java-base's trust store, and /usr/bin/java.
 */
async function runtimeEntries(jre: string, dest: string): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [rootDir('usr/lib/jvm'), rootDir(dest)];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(jre, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const host = join(jre, r);
      const path = posix.join(dest, r);
      const st = await lstat(host);
      if (st.isDirectory()) {
        entries.push(rootDir(path));
        await walk(r);
      } else if (st.isSymbolicLink()) entries.push(rootSymlink(path, await readlink(host)));
      else if (r === 'lib/security/cacerts') entries.push(rootSymlink(path, '/etc/ssl/certs/java/cacerts'));
      else if (st.isFile()) entries.push(await fileEntry(host, path, st.mode & 0o7777, st.size));
    }
  };
  await walk('');
  entries.push(rootSymlink('usr/bin/java', `/${dest}/bin/java`));
  return entries;
}

async function fileEntry(host: string, path: string, mode: number, size: number): Promise<LayerEntry> {
  const base = { path, type: 'file' as const, mode, uid: 0, gid: 0 };
  if (
    /\.so$/.test(path) ||
    /\/bin\/[^/]+$/.test(path) ||
    path.endsWith('/lib/jspawnhelper') ||
    path.endsWith('/lib/jexec')
  ) {
    const src = await fileSource(host);
    let plan: Awaited<ReturnType<typeof planStrip>>;
    try {
      plan = await planStrip(src, host).catch(() => undefined);
    } finally {
      await src.close?.();
    }
    if (plan) {
      const p = plan;
      return { ...base, size: p.size, content: () => strippedStream(host, p) };
    }
  }
  return { ...base, size, content: () => readFile(host) };
}
