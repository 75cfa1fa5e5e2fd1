/**
 * Trimming java.desktop for `distill build --jlink`. Spring (and much else) refers to java.beans,
 * which lives in java.desktop, the JDK's largest module: the whole AWT/Swing stack and its native
 * libraries come along. When the app's classes refer to no java.desktop package but java.beans
 * and java.beans.beancontext, and no other module of the runtime requires java.desktop, what
 * java.beans' own classes reach inside java.desktop is followed (class references, descriptors,
 * and class names in string constants, from the jmod), and the parts never reached are left out:
 * - Swing, Java Sound, Image I/O, printing (GROUPS: API and implementation packages), each only
 *   when no reached class is in it; jlink insists that every package of the module's descriptor
 *   is present, so each such package keeps its smallest file;
 * - AWT's native libraries (awt, awt_headless, fontmanager, lcms, mlib_image, javajpeg, jsound)
 *   and the PostScript font tables, only when no reached class is AWT, Java 2D, fonts or a group.
 * With Debian's JDK 21, java.beans reaches all of them (BeanDescriptor reads
 * javax.swing.SwingContainer; Beans reaches java.applet and java.awt), so nothing is left out
 * there; the decision and its reason are reported either way. An app that refers to java.awt
 * (drawing text, images), Swing, Image I/O, sound or printing keeps java.desktop whole. Code
 * loaded by reflection is not seen by the constant-pool scan: `--add-modules` cannot bring
 * trimmed parts back, `--jlink-keep-all` (`jlinkKeepAll: true`) does.
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
  /** java.desktop's classes (internal names) and the classes each refers to or names in a string. */
  links: Map<string, Set<string>>;
  /** Every module's requires, from its module-info (jlink links their closure). */
  requires: Map<string, string[]>;
}

export interface TrimDecision {
  /** What was left out, for the build's report; empty when nothing was. */
  packages: string[];
  /** The TRIMMED_PREFIXES the left-out packages fall under (`javax.swing`). */
  groups: string[];
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
/** Parts of java.desktop that may be left out, each as its package prefixes: API and implementation. */
export const GROUPS: Record<string, string[]> = {
  swing: ['javax.swing', 'sun.swing', 'com.sun.java.swing', 'com.sun.swing'],
  sound: ['javax.sound', 'com.sun.media.sound'],
  imageio: ['javax.imageio', 'com.sun.imageio'],
  print: ['javax.print', 'sun.print'],
};
export const TRIMMED_PREFIXES = Object.values(GROUPS).flat();
/** Packages whose classes load AWT's native libraries (directly or through the toolkit). */
const NATIVE_USERS = ['java.awt', 'sun.awt', 'sun.java2d', 'sun.font', 'java.applet', ...TRIMMED_PREFIXES];
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

const packageOf = (internal: string) =>
  internal.slice(0, Math.max(0, internal.lastIndexOf('/'))).replace(/\//g, '.');
const under = (pkg: string, prefix: string) => pkg === prefix || pkg.startsWith(`${prefix}.`);
const reEscape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

const keep = (why: string): TrimDecision => ({
  packages: [],
  groups: [],
  natives: [],
  files: 0,
  why,
  excludeResources: [],
  excludeFiles: [],
});

/** The modules jlink links for `modules`: their closure over requires. */
export function linked(modules: readonly string[], requires: Map<string, string[]>): string[] {
  const seen = new Set<string>();
  const visit = (m: string) => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const r of requires.get(m) ?? []) visit(r);
  };
  for (const m of modules) visit(m);
  return [...seen].sort();
}

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
  const users = linked(modules, desktop.requires).filter(
    (m) => m !== 'java.desktop' && desktop.requires.get(m)?.includes('java.desktop'),
  );
  if (users.length) return keep(`java.desktop kept whole: ${users.join(', ')} require(s) it`);
  // What java.beans' classes reach inside java.desktop: class references and class names in strings.
  const reached = new Set<string>();
  const stack = [...desktop.links.keys()].filter((c) => inDesktop.includes(packageOf(c)));
  while (stack.length) {
    const c = stack.pop() as string;
    if (reached.has(c) || !desktop.links.has(c)) continue;
    reached.add(c);
    for (const r of desktop.links.get(c) ?? []) if (!reached.has(r)) stack.push(r);
  }
  const reachedPkgs = new Set([...reached].map(packageOf));
  const touched = (prefixes: readonly string[]) =>
    [...reachedPkgs].some((p) => prefixes.some((x) => under(p, x)));
  const groups = Object.entries(GROUPS).filter(([, prefixes]) => !touched(prefixes));
  const prefixes = groups.flatMap(([, x]) => x);
  const packages = [...desktop.files.keys()].filter((p) => prefixes.some((x) => under(p, x))).sort();
  const natives = touched(NATIVE_USERS) ? [] : TRIMMED_LIB_FILES;
  if (!packages.length && !natives.length)
    return keep(
      `java.desktop kept whole: java.beans reaches ${[...reachedPkgs]
        .filter((p) => NATIVE_USERS.some((x) => under(p, x)))
        .slice(0, 3)
        .join(', ')} …`,
    );
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
    groups: prefixes.filter((x) => packages.some((p) => under(p, x))),
    natives: [...natives],
    files,
    why: `java.desktop trimmed: the classes use only ${inDesktop.length ? inDesktop.join(', ') : 'none of its packages'} of it, which reach${groups.length ? ` no ${groups.map(([g]) => g).join(', ')}` : ''}${natives.length ? `${groups.length ? ' and' : ''} no AWT` : ''}`,
    excludeResources: patterns,
    excludeFiles: natives.map((f) => `**/lib/${f}`),
  };
}
