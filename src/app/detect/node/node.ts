/**
 * The Node.js detector: package.json → entry script, production dependencies from the lockfile
 * (copied from the project's installed node_modules into their own layer), and the image's
 * Node.js major from distill.yaml, `engines.node`, or the ABI its native addons were built for.
 */
import { readFile, readlink, realpath, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { canonicalJson, type LayerEntry, sha256 } from '../../../oci/index.ts';
import { AppError } from '../../errors.ts';
import { type Owner, treeEntries } from '../../layout.ts';
import { commonPlan } from '../../plan-common.ts';
import { isInside } from '../../project-path.ts';
import type { AppConfig, AppPlan, DetectContext, Detector, ElfFile } from '../../types.ts';
import { addonAbi, majorForAbi, NODE_ABI } from './abi.ts';
import { nodeEntry } from './entry.ts';
import { productionPackages } from './lockfile.ts';
import { chooseNodeMajor } from './major.ts';

/** Lockfiles npm reads, in its order of preference; the hidden one is what `npm install` last wrote. */
const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json', 'node_modules/.package-lock.json'];

/** Where the base image keeps node (the distroless nodejs images' path). */
export const NODE_BIN = '/nodejs/bin/node';

export const nodeDetector: Detector = {
  name: 'node',
  looksFor: 'package.json (Node.js)',
  detect: detectNode,
};

interface PackageJson {
  name?: string;
  version?: string;
  main?: unknown;
  scripts?: Record<string, unknown>;
  engines?: { node?: unknown };
  dependencies?: Record<string, string>;
}

async function readText(p: string): Promise<string | undefined> {
  try {
    return await readFile(p, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function detectNode(dir: string, config: AppConfig, ctx: DetectContext): Promise<AppPlan | undefined> {
  const text = await readText(join(dir, 'package.json'));
  if (text === undefined) return undefined;
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(text);
  } catch (e) {
    throw new AppError('APP_NODE_PROJECT_INVALID', `package.json is not JSON: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const reasons = [
    `Node.js project: package.json${pkg.name ? ` (${pkg.name}${pkg.version ? `@${pkg.version}` : ''})` : ''}`,
  ];
  const warnings: string[] = [];
  const entry = await nodeEntry(dir, pkg, config.main);
  reasons.push(entry.reason);

  const { appDir, writable, owner: user, fields } = commonPlan(config, ctx);

  // Production dependencies: the lockfile says which, node_modules has them.
  const deps = await dependencyLayer(dir, pkg, appDir, writable, user, reasons, ctx);

  const app = await treeEntries({
    hashes: ctx.hashes,
    root: dir,
    dest: appDir,
    skip: (rel) => rel === 'node_modules' || ctx.ignored(rel),
    descend: Boolean(ctx.ignoreDescend),
    writable,
    user,
  });

  // Native addons: from the dependencies and from the project itself.
  const addons = [...(deps?.entries ?? []), ...app.entries].filter(
    (e) => e.type === 'file' && e.path.endsWith('.node'),
  );
  const elfFiles: ElfFile[] = [];
  const abis: { path: string; abi: ReturnType<typeof addonAbi> }[] = [];
  for (const a of addons) {
    const hostPath = join(dir, posix.relative(appDir, `/${a.path}`));
    const bytes = await readFile(hostPath);
    abis.push({ path: `/${a.path}`, abi: addonAbi(bytes) });
    elfFiles.push({
      path: `/${a.path}`,
      source: posix.relative(appDir, `/${a.path}`),
      read: () => readFile(hostPath),
    });
  }
  for (const a of abis)
    reasons.push(
      `native addon ${a.path}: ${a.abi?.kind === 'napi' ? 'N-API (any Node.js major)' : a.abi ? `NODE_MODULE_VERSION ${a.abi.moduleVersion}${majorForAbi(a.abi.moduleVersion) ? ` (Node.js ${majorForAbi(a.abi.moduleVersion)})` : ''}` : 'no Node.js registration symbol found'}`,
    );

  const major = chooseNodeMajor({
    base: config.base,
    engines: typeof pkg.engines?.node === 'string' ? pkg.engines.node : undefined,
    addons: abis.flatMap((a) =>
      a.abi?.kind === 'node' ? [{ path: a.path, moduleVersion: a.abi.moduleVersion }] : [],
    ),
    today: new Date(ctx.now?.() ?? Date.now()).toISOString().slice(0, 10),
  });
  reasons.push(major.reason);
  if (major.warning) warnings.push(major.warning);
  if (major.major !== undefined) {
    for (const a of abis) {
      if (a.abi?.kind !== 'node') continue;
      const want = NODE_ABI[major.major];
      if (a.abi.moduleVersion !== want) {
        const built = majorForAbi(a.abi.moduleVersion);
        throw new AppError(
          'APP_NODE_ABI_MISMATCH',
          `${a.path} was built for ${built ? `Node.js ${built}` : 'another Node.js'} (NODE_MODULE_VERSION ${a.abi.moduleVersion}) but the image runs Node.js ${major.major} (NODE_MODULE_VERSION ${want}); rebuild it with Node.js ${major.major} (\`npm rebuild\`)${built ? ` or use base: nodejs${built}` : ''}`,
        );
      }
    }
  }

  const script = posix.join(appDir, entry.file);
  const layers: AppPlan['layers'] = [];
  if (deps) layers.push({ name: 'deps', entries: async () => deps.entries, key: deps.key });
  layers.push({
    name: 'app',
    entries: async () => app.entries,
    key: { kind: 'node-app', appDir, writable, user, files: app.fingerprint },
  });
  return {
    kind: 'node',
    reasons,
    base: config.base ?? `nodejs${major.major}`,
    // The distroless nodejs images' own convention: ENTRYPOINT node, CMD the script — so
    // `docker run IMAGE other.js` still works; the script path is absolute so a changed WORKDIR does not break it.
    entrypoint: [NODE_BIN, ...entry.nodeArgs],
    cmd: [script, ...entry.args],
    env: { NODE_ENV: 'production' },
    ...fields,
    layers,
    elfFiles,
    ...(major.major !== undefined
      ? { runtime: { kind: 'node', major: major.major, from: major.reason } }
      : {}),
    warnings,
  };
}

/** The deps layer: every production package folder from the lockfile, nested node_modules handled by their own entries. */
async function dependencyLayer(
  dir: string,
  pkg: PackageJson,
  appDir: string,
  writable: readonly string[],
  user: Owner,
  reasons: string[],
  ctx: DetectContext,
): Promise<{ entries: LayerEntry[]; key: unknown } | undefined> {
  let lockName: string | undefined;
  let lockText: string | undefined;
  for (const name of LOCKFILES) {
    lockText = await readText(join(dir, name));
    if (lockText !== undefined) {
      lockName = name;
      break;
    }
  }
  const declared = Object.keys(pkg.dependencies ?? {});
  if (lockText === undefined || lockName === undefined) {
    if (declared.length)
      throw new AppError(
        'APP_NODE_PROJECT_INVALID',
        `package.json has ${declared.length} dependencies but there is no package-lock.json: run \`npm install\` to make one (distill copies exactly the production dependencies it names)`,
      );
    reasons.push('no dependencies');
    return undefined;
  }
  const prod = productionPackages(lockText, lockName);
  const root = await realpath(dir);
  const missing: string[] = [];
  const present: typeof prod = [];
  const links = prod.filter((p) => p.link).map((p) => p.path);
  if (links.length)
    reasons.push(
      `workspace links kept as symlinks (${links.join(', ')}): their packages are project files, in the app layer`,
    );
  for (const p of prod) {
    if (p.link) continue;
    // A package folder that is a symlink (or below one) must not lead out of the project.
    const real = await realpath(join(dir, p.path)).catch(() => undefined);
    if (real !== undefined && !isInside(root, real))
      throw new AppError(
        'APP_PATH_ESCAPE',
        `${p.path} (a production dependency in ${lockName}) leads out of the project through a symlink (to ${real}); install it into node_modules with \`npm ci\` instead of linking it`,
      );
    const ok = await stat(join(dir, p.path, 'package.json')).then(
      (s) => s.isFile(),
      () => false,
    );
    if (ok) present.push(p);
    else if (!p.optional) missing.push(p.path);
  }
  if (missing.length)
    throw new AppError(
      'APP_NODE_MODULES_MISSING',
      `${missing.length} production ${missing.length === 1 ? 'dependency is' : 'dependencies are'} in ${lockName} but not installed (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}); run \`npm ci\` first`,
    );
  reasons.push(
    `${present.length} production ${present.length === 1 ? 'package' : 'packages'} from ${lockName} (dev dependencies left out), copied from node_modules without node-gyp's build intermediates`,
  );
  const entries: LayerEntry[] = [];
  const fingerprint: unknown[] = [];
  for (const l of links) {
    const target = await readlink(join(dir, l)).catch(() => undefined);
    if (target === undefined) continue;
    // Workspace links stay links, but only to folders inside the project (the app layer has them).
    const real = await realpath(join(dir, l)).catch(() => undefined);
    if (real !== undefined && !isInside(root, real))
      throw new AppError(
        'APP_PATH_ESCAPE',
        `${l} (a workspace link in ${lockName}) points out of the project (to ${real}); a linked package must be inside the project to be in the image`,
      );
    entries.push({
      path: posix.join(appDir, l).slice(1),
      type: 'symlink',
      linkname: target,
      mode: 0o777,
      uid: 0,
      gid: 0,
    });
    fingerprint.push([l, target]);
  }
  if (!entries.length && !present.length) return undefined;
  for (const p of present) {
    const t = await treeEntries({
      hashes: ctx.hashes,
      root: join(dir, p.path),
      dest: posix.join(appDir, p.path),
      // Nested node_modules are packages of their own in the lockfile (and may be dev-only);
      // node-gyp's intermediates (object files, static archives, makefiles) are never loaded.
      skip: (rel) => rel === 'node_modules' || isBuildIntermediate(rel),
      writable,
      user,
    });
    entries.push(...t.entries);
    fingerprint.push([p.path, t.fingerprint]);
  }
  return {
    entries,
    key: {
      kind: 'node-deps',
      lock: sha256(lockText),
      appDir,
      writable,
      user,
      files: sha256(canonicalJson(fingerprint)),
    },
  };
}

/** node-gyp leaves its objects beside the addon (build/Release/obj.target, .deps, *.o, *.a, Makefiles). */
export function isBuildIntermediate(rel: string): boolean {
  if (!rel.startsWith('build/')) return false;
  return (
    /^build\/(Release|Debug)\/(obj\.target|obj|\.deps)$/.test(rel) ||
    /\.(o|a|d|mk)$/.test(rel) ||
    /^build\/(Makefile|config\.gypi|binding\.Makefile)$/.test(rel)
  );
}
