/**
 * The Python detector: pyproject.toml, requirements.txt or a main script (main.py, app.py,
 * __main__.py). The image's Python is the python3 base's (3.13 on Debian 13, 3.11 on 12); the
 * dependencies — a site-packages directory, or pip's install of the requirements — go in their
 * own layer at /usr/local/lib/python3.X/dist-packages, which Debian's site.py puts on sys.path
 * (ahead of /usr/lib/python3/dist-packages, where Debian's own python3-* packages live); the
 * project goes to /app and the script runs as `python3.X /app/main.py`.
 */
import { stat } from 'node:fs/promises';
import { join, posix, relative } from 'node:path';
import { lookup as catalogueLookup } from '../../../catalogue/index.ts';
import { parseDebianRelease } from '../../../debian/index.ts';
import { AppError } from '../../errors.ts';
import { treeEntries } from '../../layout.ts';
import { commonPlan } from '../../plan-common.ts';
import type { AppConfig, AppPlan, DetectContext, Detector } from '../../types.ts';
import { elfFilesIn } from '../native/files.ts';
import { findSitePackages, pipInstall, requirementsOf, type SitePackages, type SpawnFn } from './deps.ts';

/** Main scripts looked for, in order. */
export const PYTHON_MAINS = ['main.py', 'app.py', '__main__.py'];

/** Venv tooling that is not the application's dependencies. */
const TOOLING =
  /^(pip|pip-[^/]*\.dist-info|setuptools|setuptools-[^/]*\.dist-info|_distutils_hack|distutils-precedence\.pth|pkg_resources|__pycache__)(\/|$)/;
/** pip's PEP 610 record of where a package was installed from: a host path, never reproducible. */
const HOST_RECORD = /\.dist-info\/direct_url\.json$/;

const exists = async (p: string) => (await stat(p).catch(() => undefined))?.isFile() ?? false;

/** Makes the detector; `spawn` runs the host's pip (a fake in tests). */
export function pythonDetectorWith(options: { spawn?: SpawnFn } = {}): Detector {
  return {
    name: 'python',
    looksFor: 'pyproject.toml, requirements.txt or main.py/app.py/__main__.py (Python)',
    detect: (dir, config, ctx) => detectPython(dir, config, ctx, options.spawn),
  };
}

export const pythonDetector: Detector = pythonDetectorWith();

async function detectPython(
  dir: string,
  config: AppConfig,
  ctx: DetectContext,
  spawn: SpawnFn | undefined,
): Promise<AppPlan | undefined> {
  const markers = [];
  for (const m of ['pyproject.toml', 'requirements.txt']) if (await exists(join(dir, m))) markers.push(m);
  const mains = [];
  for (const m of PYTHON_MAINS) if (await exists(join(dir, m))) mains.push(m);
  if (markers.length === 0 && mains.length === 0 && config.kind !== 'python') return undefined;
  const reasons = [`Python project: ${[...markers, ...mains].join(', ') || 'kind: python in distill.yaml'}`];
  const main = config.main ?? mains[0];
  if (!main || !(await exists(join(dir, main))))
    throw new AppError(
      'APP_PYTHON_ENTRY_NOT_FOUND',
      main
        ? `main ${JSON.stringify(main)} is not a file in the project`
        : `no main script: none of ${PYTHON_MAINS.join(', ')} is in the project; set main: in distill.yaml`,
    );
  reasons.push(
    config.main
      ? `main script ${main} (from the config)`
      : `main script ${main} (the first of ${PYTHON_MAINS.join(', ')} present)`,
  );

  const debian = parseDebianRelease(config.debian ?? 13);
  const spec = catalogueLookup('python3', debian).spec;
  const version = spec.runtime?.kind === 'python' ? spec.runtime.version : '3';
  const python = spec.entrypoint?.[0] ?? `/usr/bin/python${version}`;
  const base = config.base ?? 'python3';
  reasons.push(
    config.base
      ? `base ${config.base} from the config; assuming its Python is Debian ${debian}'s ${version}`
      : `base python3 (debian${debian}): Python ${version}`,
  );
  const warnings: string[] = [];

  let site: SitePackages | undefined = await findSitePackages(dir, config.sitePackages);
  if (!site) {
    const req = await requirementsOf(dir);
    if (req && req.requirements.length > 0) {
      const arch = ctx.archs[0] ?? 'amd64';
      if (ctx.archs.length > 1)
        warnings.push(`pip installs for ${arch} only; give --site-packages per architecture for others`);
      reasons.push(
        `${req.requirements.length} requirement(s) in ${req.from}, no site-packages given: asking the host's pip`,
      );
      site = await pipInstall(req.requirements, version, arch, { ...(spawn ? { spawn } : {}), env: ctx.env });
    } else reasons.push(req ? `no dependencies listed in ${req.from}` : 'no dependencies');
  }
  if (site) {
    reasons.push(site.reason);
    if (site.pythonVersion && site.pythonVersion !== version)
      warnings.push(
        `the dependencies were installed for Python ${site.pythonVersion}, the image runs ${version}: pure-Python packages work, compiled ones are checked`,
      );
  }

  const { appDir, writable, owner: user, fields } = commonPlan(config, ctx);
  const layers: AppPlan['layers'] = [];
  const elfFiles = [];
  if (site) {
    const sp = site;
    const dest = `/usr/local/lib/python${version}/dist-packages`;
    const deps = await treeEntries({
      hashes: ctx.hashes,
      root: sp.dir,
      dest,
      skip: (r) => TOOLING.test(r) || HOST_RECORD.test(r) || r.endsWith('.pyc') || r.endsWith('/__pycache__'),
      writable: [],
      user,
    });
    layers.push({
      name: 'deps',
      entries: async () => deps.entries,
      key: { kind: 'python-deps', dest, files: deps.fingerprint },
    });
    elfFiles.push(...(await elfFilesIn(deps.entries, sp.dir, dest)));
    reasons.push(
      `dependencies layer at ${dest} (on Debian's sys.path): ${deps.entries.filter((e) => e.type === 'file').length} files`,
    );
  }
  // The project minus its virtual environments, bytecode caches and an in-project site-packages.
  const siteRel = site ? relative(dir, site.dir) : undefined;
  const app = await treeEntries({
    hashes: ctx.hashes,
    root: dir,
    dest: appDir,
    skip: (r) =>
      ctx.ignored(r) ||
      r === '.venv' ||
      r === 'venv' ||
      r === '.git' ||
      r.endsWith('/__pycache__') ||
      r === '__pycache__' ||
      (siteRel !== undefined && !siteRel.startsWith('..') && r === siteRel),
    descend: Boolean(ctx.ignoreDescend),
    writable,
    user,
  });
  layers.push({
    name: 'app',
    entries: async () => app.entries,
    key: { kind: 'python-app', appDir, writable, user, files: app.fingerprint },
  });
  elfFiles.push(...(await elfFilesIn(app.entries, dir, appDir)));

  return {
    kind: 'python',
    reasons,
    base,
    entrypoint: [python],
    cmd: [posix.join(appDir, main)],
    // Unbuffered output for `docker logs`; no .pyc writes into the read-only app.
    env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    ...fields,
    layers,
    elfFiles,
    runtime: { kind: 'python', version, from: `the python3 base of debian${debian}` },
    warnings,
  };
}
