/**
 * The catalogue: GoogleContainerTools/distroless's images as distill builds them (shared/notes/
 * distroless.md), one layer per box of the seed's stack. Package lists name what each layer asks
 * for; the resolver adds their run-time dependencies and leaves out install-time machinery.
 */
import type { DebianRelease } from '../debian/index.ts';
import { CatalogueError } from './errors.ts';
import type { BaseImageSpec, LayerSpec, Variant } from './types.ts';
import { VARIANTS } from './types.ts';

const ROOT: Record<DebianRelease, readonly string[]> = {
  13: ['base-files', 'netbase', 'tzdata', 'tzdata-legacy', 'media-types'],
  12: ['base-files', 'netbase', 'tzdata', 'media-types'],
};
const SSL: Record<DebianRelease, readonly string[]> = {
  13: ['libssl3t64', 'libzstd1', 'zlib1g'],
  12: ['libssl3', 'libzstd1', 'zlib1g'],
};
const PYTHON: Record<DebianRelease, string> = { 13: '3.13', 12: '3.11' };
/**
 * What distroless's python3 adds to the interpreter's own dependencies (python3/config.bzl), for
 * native wheels and ctypes: libcrypt, NIS/Sun RPC, Kerberos (GSSAPI), com_err; and all of libc-bin
 * (ldconfig for ctypes.util.find_library, /etc/ld.so.conf + ld.so.conf.d/libc.conf, which adds
 * /usr/local/lib for an `ldconfig` run in a derived image; getent, iconv, locale, the C.utf8
 * locale). python3.X-venv is left out on purpose: its ensurepip needs the pip wheel
 * (python3-pip-whl), i.e. a package manager in the image, and distroless ships it without the
 * wheel, so `python -m venv` fails there too; `venv --without-pip` works (venv is in the stdlib).
 */
const PYTHON_LIBS: Record<DebianRelease, readonly string[]> = {
  13: [
    'libc-bin',
    'libcrypt1',
    'libnsl2',
    'libtirpc3t64',
    'libgssapi-krb5-2',
    'libk5crypto3',
    'libkeyutils1',
    'libkrb5-3',
    'libkrb5support0',
    'libcom-err2',
  ],
  12: [
    'libc-bin',
    'libcrypt1',
    'libnsl2',
    'libtirpc3',
    'libgssapi-krb5-2',
    'libk5crypto3',
    'libkeyutils1',
    'libkrb5-3',
    'libkrb5support0',
    'libcom-err2',
  ],
};
const JAVA: Record<DebianRelease, readonly number[]> = { 13: [21, 25], 12: [17] };
/**
 * java-base: what distroless's java-base adds to the C/C++ runtime (shared/notes/distroless.md),
 * for the JDK's native code: zlib; libjpeg, lcms2 for java.desktop's image code; freetype,
 * fontconfig (+ its config), DejaVu fonts and libpng for AWT text (libfontmanager, libawt); and
 * harfbuzz, which Temurin bundles but Debian's JDK links from the system (libfontmanager.so
 * needs libharfbuzz.so.0: without it any Graphics2D text throws UnsatisfiedLinkError). The
 * resolver brings their dependencies (expat, brotli, bzip2, glib, graphite2, pcre2, ...).
 */
const JAVA_BASE_13 = [
  'zlib1g',
  'libstdc++6',
  'libjpeg62-turbo',
  'liblcms2-2',
  'libfreetype6',
  'libfontconfig1',
  'fontconfig-config',
  'fonts-dejavu-core',
  'libharfbuzz0b',
  'libpng16-16t64',
  'libuuid1',
  'libcrypt1',
] as const;
const JAVA_BASE: Record<DebianRelease, readonly string[]> = {
  13: JAVA_BASE_13,
  // Debian 12 names libpng before the 64-bit time_t transition.
  12: JAVA_BASE_13.map((p) => (p === 'libpng16-16t64' ? 'libpng16-16' : p)),
};
/**
 * What the Java images leave out of openjdk-NN-jre-headless's dependencies, as distroless's Java
 * images (on java-base, with Temurin) have none of it. NSS serves only the SunPKCS11-NSS provider,
 * which java.security does not enable; libnspr4 and libsqlite3-0 come only with it.
 */
export const JAVA_LEAVE_OUT: Readonly<Record<string, string>> = Object.freeze({
  libnss3:
    "Mozilla NSS, used only by the SunPKCS11-NSS provider, which the JRE's java.security does not enable (distroless's Java images have no NSS either)",
});

/*
 * JAVA: Debian 13 has no OpenJDK 17 (trixie ships 21 and 25 only: its archive has no
 * openjdk-17-jre-headless for any architecture), so there is no java17 on 13.
 */

/** Node.js majors built as nodejsNN images (the binary comes from the npm registry, not Debian). */
export const NODE_IMAGE_MAJORS: readonly number[] = [20, 22, 24, 26];

/**
 * Dependencies only maintainer scripts need, beyond the resolver's default exclusions: base-files
 * pre-depends on an awk for its postinst.
 */
export const CATALOGUE_EXCLUDE: readonly string[] = ['awk', 'mawk', 'gawk', 'original-awk'];

function stack(debian: DebianRelease, upTo: 'root' | 'libc' | 'ssl' | 'cc'): LayerSpec[] {
  const all: LayerSpec[] = [
    { kind: 'root', packages: ROOT[debian] },
    { kind: 'libc', packages: ['libc6'] },
    { kind: 'ssl', packages: SSL[debian] },
    { kind: 'cc', packages: ['libgomp1', 'libstdc++6'] },
  ];
  return all.slice(0, all.findIndex((l) => l.kind === upTo) + 1);
}

/**
 * java-base's layers: base-nossl plus the fonts and libraries of the JDK's native code, as
 * distroless's java-base (no libssl, zstd or libgomp: the JDK has its own TLS and needs neither).
 */
function javaBase(debian: DebianRelease): LayerSpec[] {
  return [...stack(debian, 'libc'), { kind: 'java-base', packages: JAVA_BASE[debian] }];
}

/** Every image of a release, in catalogue order. */
export function catalogue(debian: DebianRelease): BaseImageSpec[] {
  const py = PYTHON[debian];
  const images: BaseImageSpec[] = [
    {
      name: 'static',
      debian,
      layers: stack(debian, 'root'),
      env: [],
      summary: 'static binaries: no libc; CA bundle, tzdata, passwd',
    },
    { name: 'base-nossl', debian, layers: stack(debian, 'libc'), env: [], summary: 'static + glibc' },
    {
      name: 'base',
      debian,
      layers: stack(debian, 'ssl'),
      env: [],
      summary: 'base-nossl + libssl, zlib, zstd',
    },
    {
      name: 'cc',
      debian,
      layers: stack(debian, 'cc'),
      env: [],
      summary: 'base + libstdc++, libgcc, libgomp',
    },
    {
      name: 'python3',
      debian,
      layers: [
        ...stack(debian, 'cc'),
        {
          kind: 'runtime',
          packages: [`python${py}-minimal`, `libpython${py}-stdlib`, ...PYTHON_LIBS[debian]],
        },
      ],
      runtime: { kind: 'python', version: py },
      entrypoint: [`/usr/bin/python${py}`],
      env: ['LANG=C.UTF-8'],
      summary: `Debian's Python ${py}, with a real ld.so.cache`,
    },
    ...NODE_IMAGE_MAJORS.map(
      (major): BaseImageSpec => ({
        name: `nodejs${major}`,
        debian,
        layers: [...stack(debian, 'cc'), { kind: 'runtime', packages: [] }],
        runtime: { kind: 'node', major },
        entrypoint: ['/nodejs/bin/node'],
        env: [],
        summary: `the official Node.js ${major} binary (npm registry package node-linux-<arch>)`,
      }),
    ),
    {
      name: 'java-base',
      debian,
      layers: javaBase(debian),
      env: ['LANG=C.UTF-8'],
      summary:
        'base-nossl + fonts, zlib, libstdc++, the JDK native libraries, Java trust store; no JVM (for jlinked runtimes)',
    },
    ...JAVA[debian].map(
      (v): BaseImageSpec => ({
        name: `java${v}`,
        debian,
        layers: [
          ...javaBase(debian),
          { kind: 'runtime', packages: [`openjdk-${v}-jre-headless`], leaveOut: JAVA_LEAVE_OUT },
          // distroless's debug Java images are the JDK: jcmd, jstack, jmap, jshell, javac, jlink.
          {
            kind: 'jdk',
            packages: [`openjdk-${v}-jdk-headless`],
            leaveOut: JAVA_LEAVE_OUT,
            debugOnly: true,
          },
        ],
        runtime: { kind: 'java', version: v },
        entrypoint: ['/usr/bin/java', '-jar'],
        env: ['LANG=C.UTF-8'],
        summary: `Debian's OpenJDK ${v} JRE (headless) on java-base; debug variants: the JDK (jcmd, jstack, jmap, jshell)`,
      }),
    ),
  ];
  return images;
}

/** `python3:nonroot` → the image spec and the variant; unknown names and variants are errors. */
export function lookup(ref: string, debian: DebianRelease): { spec: BaseImageSpec; variant: Variant } {
  const [name, variant = 'latest'] = ref.split(':', 2) as [string, string | undefined];
  const spec = catalogue(debian).find((s) => s.name === name);
  if (!spec) {
    const names = catalogue(debian)
      .map((s) => s.name)
      .join(', ');
    throw new CatalogueError(
      'CATALOGUE_NAME_UNKNOWN',
      `no base image ${JSON.stringify(name)} for debian${debian}; the catalogue has ${names}`,
    );
  }
  if (!(VARIANTS as readonly string[]).includes(variant)) {
    throw new CatalogueError(
      'CATALOGUE_VARIANT_UNKNOWN',
      `no variant ${JSON.stringify(variant)}; variants are ${VARIANTS.join(', ')}`,
    );
  }
  return { spec, variant: variant as Variant };
}
