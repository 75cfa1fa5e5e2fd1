/**
 * Trimming java.desktop for `distill build --jlink`. Spring (and much else) refers to java.beans,
 * which lives in java.desktop, the JDK's largest module: the whole AWT/Swing stack and its native
 * libraries come along. When the app's classes refer to no java.desktop package but java.beans
 * and java.beans.beancontext, and no other linked module names java.desktop, the parts java.beans
 * never reaches are left out:
 * - the classes and resources of Swing, Java Sound, Image I/O and the print service API with
 *   their implementations (javax.swing, sun.swing, com.sun.java.swing, com.sun.swing, javax.sound,
 *   com.sun.media.sound, javax.imageio, com.sun.imageio, javax.print, sun.print); jlink insists
 *   that every package of the module's descriptor is present, so each such package keeps its
 *   smallest file;
 * - AWT's native libraries (awt, awt_headless, fontmanager, lcms, mlib_image, javajpeg, jsound)
 *   and the PostScript font tables, which only java.awt, java.awt.image, javax.imageio and
 *   javax.sound load.
 * An app that refers to java.awt (drawing text, images), Swing, Image I/O, sound or printing keeps
 * java.desktop whole. Code loaded by reflection is not seen by the constant-pool scan: `--add-modules`
 * cannot bring trimmed parts back, `--jlink-keep-all` (`jlinkKeepAll: true`) does.
 */

/** A file of a module's classes/ folder in its jmod. */
export interface JmodFile {
  name: string;
  size: number;
}

/** What the trim decision needs from the JDK. */
export interface DesktopIndex {
  /** java.desktop's files by package (dotted), in the jmod's order. */
  files: Map<string, JmodFile[]>;
  /** Modules other than java.desktop whose module-info names java.desktop (they require it or read it). */
  namers: Set<string>;
}

export interface TrimDecision {
  /** What was left out, for the build's report; empty when nothing was. */
  packages: string[];
  natives: string[];
  /** Files excluded (classes and resources, without the kept one per package). */
  files: number;
  /** Why java.desktop was trimmed or kept whole (one sentence). */
  why: string;
  /** jlink's --exclude-resources patterns and --exclude-files patterns that do it. */
  excludeResources: string[];
  excludeFiles: string[];
}

/** java.desktop packages the app may refer to and still have the rest trimmed. */
const BEANS = new Set(['java.beans', 'java.beans.beancontext']);
/** Package prefixes of java.desktop left out when only java.beans is used. */
export const TRIMMED_PREFIXES = [
  'javax.swing',
  'sun.swing',
  'com.sun.java.swing',
  'com.sun.swing',
  'javax.sound',
  'com.sun.media.sound',
  'javax.imageio',
  'com.sun.imageio',
  'javax.print',
  'sun.print',
];
/** java.desktop's native libraries and data files under lib/ that only AWT, Image I/O and sound load. */
export const TRIMMED_LIB_FILES = [
  'libawt.so',
  'libawt_headless.so',
  'libfontmanager.so',
  'liblcms.so',
  'libmlib_image.so',
  'libjavajpeg.so',
  'libjsound.so',
  'psfontj2d.properties',
  'psfont.properties.ja',
];

const under = (pkg: string, prefix: string) => pkg === prefix || pkg.startsWith(`${prefix}.`);
const reEscape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

const keep = (why: string): TrimDecision => ({
  packages: [],
  natives: [],
  files: 0,
  why,
  excludeResources: [],
  excludeFiles: [],
});

/**
 * What to leave out of java.desktop, from the JDK packages the app refers to (dotted) and the
 * modules jlink is asked for; nothing when `keepAll`.
 */
export function desktopTrim(
  appPackages: readonly string[],
  modules: readonly string[],
  desktop: DesktopIndex,
  keepAll: boolean,
): TrimDecision {
  if (!modules.includes('java.desktop')) return keep('java.desktop is not linked');
  if (keepAll) return keep('java.desktop kept whole: --jlink-keep-all');
  const inDesktop = appPackages.filter((p) => desktop.files.has(p));
  const other = inDesktop.filter((p) => !BEANS.has(p));
  if (other.length)
    return keep(
      `java.desktop kept whole: the classes refer to ${other.slice(0, 3).join(', ')}${other.length > 3 ? ` and ${other.length - 3} more of its packages` : ''}`,
    );
  const namers = modules.filter((m) => desktop.namers.has(m));
  if (namers.length) return keep(`java.desktop kept whole: ${namers.join(', ')} name(s) it`);
  const packages = [...desktop.files.keys()].filter((p) => TRIMMED_PREFIXES.some((x) => under(p, x))).sort();
  const patterns: string[] = [];
  let files = 0;
  for (const p of packages) {
    const list = desktop.files.get(p) ?? [];
    // The smallest file stays (jlink refuses a module whose descriptor names a package it lacks).
    const kept = list.reduce((a, b) => (b.size < a.size || (b.size === a.size && b.name < a.name) ? b : a));
    files += list.length - 1;
    if (list.length < 2) continue;
    const dir = p.replace(/\./g, '/');
    patterns.push(`regex:/java\\.desktop/${reEscape(dir)}/(?!${reEscape(kept.name)}$)[^/]+`);
  }
  return {
    packages,
    natives: [...TRIMMED_LIB_FILES],
    files,
    why: `java.desktop trimmed: the classes use only ${inDesktop.length ? inDesktop.join(', ') : 'none of its packages'} of it`,
    excludeResources: patterns,
    excludeFiles: TRIMMED_LIB_FILES.map((f) => `**/lib/${f}`),
  };
}
