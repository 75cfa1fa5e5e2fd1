/**
 * Packages the resolver leaves out by default: Debian lists them as dependencies because
 * maintainer scripts (postinst and friends) or package management need them, but a distroless
 * image runs no maintainer script and has no shell, so they would only add attack surface.
 * distill produces what their scripts would have produced (CA bundle, Java trust store,
 * symlinks, ld.so.cache, /etc/passwd). A requested package is never left out.
 */

/** Name → why it is left out. */
export const DEFAULT_EXCLUSIONS: Readonly<Record<string, string>> = Object.freeze({
  // Package management itself.
  dpkg: 'the package manager (and update-alternatives): only maintainer scripts and installs use it',
  apt: 'the package manager: images are built, not upgraded in place',
  'apt-utils': 'package-manager tooling',
  debconf: 'asks configuration questions during installation; nothing at run time',
  cdebconf: 'an alternative debconf frontend, installation time only',
  'debconf-i18n': 'translations for debconf prompts',
  'install-info': 'registers info pages in the info directory at installation',
  ucf: 'merges configuration files during package upgrades',
  'init-system-helpers':
    'deb-systemd-helper and invoke-rc.d for maintainer scripts; no init system runs in a container',
  'lsb-base': 'init-script helper functions; no init scripts run in a container',
  'sysvinit-utils': 'init-system tools; no init system runs in a container',
  'systemd-sysv': 'makes systemd the init system; a container has none',
  adduser: 'creates users from maintainer scripts; distill writes /etc/passwd and /etc/group itself',
  'base-passwd': 'seeds /etc/passwd from its postinst; distill writes /etc/passwd and /etc/group itself',
  usrmerge: 'converts a host to merged /usr; distill lays out merged /usr directly',
  // Shells and the Essential command-line set that maintainer scripts call.
  bash: 'a shell: distroless images have none (debug variants add busybox)',
  dash: 'the /bin/sh of maintainer scripts: distroless images have no shell',
  'perl-base': 'the perl that maintainer scripts and debconf use: distroless images have no perl',
  perl: 'perl: distroless images have no perl',
  coreutils: 'shell utilities used by maintainer scripts: distroless images have no coreutils',
  'util-linux': 'system utilities used by maintainer scripts (openjdk lists it for that reason)',
  bsdutils: 'logger/script utilities for maintainer scripts',
  findutils: 'find/xargs for maintainer scripts',
  debianutils: 'run-parts, add-shell, which, used by maintainer scripts',
  'sensible-utils': 'sensible-editor/pager: interactive helpers',
  sed: 'a stream editor for maintainer scripts',
  grep: 'grep for maintainer scripts',
  diffutils: 'cmp/diff for maintainer scripts',
  tar: 'tar for maintainer scripts and package management',
  gzip: 'gzip for maintainer scripts and package management',
  hostname: 'the hostname command',
  login: 'login/su: interactive logins do not happen in a container',
  mount: 'mount: containers are mounted by their runtime',
  procps: 'ps/top: process tools with no place in a distroless image',
  'ncurses-bin': 'tput/tset for shell scripts',
  mawk: 'awk for maintainer scripts (base-files pre-depends on awk for its postinst); distroless images have no awk',
  awk: 'the virtual awk that maintainer scripts use (mawk, gawk, original-awk provide it); distroless images have no awk',
  // What distill builds itself instead of running the maintainer script.
  'ca-certificates':
    'its postinst builds the CA bundle; distill writes /etc/ssl/certs/ca-certificates.crt itself',
  'ca-certificates-java':
    'its postinst builds the Java trust store; distill writes /etc/ssl/certs/java/cacerts itself',
  'java-common':
    'update-java-alternatives and maintainer-script helpers; distill sets up the JVM paths itself',
});

/**
 * Default exclusions that are programs a package might also run at run time (a shell, perl,
 * coreutils): leaving one out is worth a warning naming the package that depends on it, so a
 * user whose program does exec it can `keep` it. The others are install-time machinery only.
 */
export const RUNTIME_TOOLS: ReadonlySet<string> = new Set([
  'bash',
  'dash',
  'perl',
  'perl-base',
  'coreutils',
  'findutils',
  'sed',
  'grep',
  'diffutils',
  'tar',
  'gzip',
  'procps',
  'hostname',
  'ncurses-bin',
  'bsdutils',
  'mount',
  'debianutils',
]);

/** The exclusion set in force: defaults, minus `keep`, plus the config's `exclude:` (with reasons). */
export function exclusionSet(
  exclude: readonly string[] = [],
  keep: readonly string[] = [],
): ReadonlyMap<string, string> {
  const m = new Map(Object.entries(DEFAULT_EXCLUSIONS));
  for (const k of keep) m.delete(k);
  for (const e of exclude) if (!m.has(e)) m.set(e, 'excluded by the configuration (exclude:)');
  return m;
}
