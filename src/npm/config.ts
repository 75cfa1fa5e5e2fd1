/**
 * Where the npm registry is, read the way npm reads it (DESIGN.md "Where packages come from"): the
 * registry URL and its credentials come from the user's npm configuration, never from a host name
 * written into distill.
 *
 * Precedence, highest first, as in npm: `npm_config_*` environment variables, the project .npmrc
 * (`<project>/.npmrc`, the project being the nearest directory up from cwd holding package.json or
 * node_modules), the user config (`$npm_config_userconfig`, else ~/.npmrc), the global config
 * (`$npm_config_globalconfig`, else `$PREFIX/etc/npmrc`). When none sets `registry`, npm's own
 * answer is asked for (`askNpm`, e.g. `npm config get registry`), which covers npm's builtin config
 * and its compiled-in default; with no npm to ask, the error says how to set it.
 */
import { dirname, join, resolve } from 'node:path';
import { NpmError } from './errors.ts';
import { expandEnv, type IniValue, parseIni } from './ini.ts';

export type Env = Record<string, string | undefined>;

/** Everything discovery reads, as parameters (tests pass fixtures). */
export interface NpmConfigSources {
  env: Env;
  cwd: string;
  home: string;
  /** npm's global prefix; default `$PREFIX`, else two levels above `execPath` (as npm derives it). */
  prefix?: string;
  /** Node's executable path, for the default prefix. */
  execPath?: string;
  /** Reads a file; undefined when it does not exist. */
  readFile: (path: string) => Promise<string | undefined>;
  /** True when the path exists (used to find the project root). */
  exists: (path: string) => Promise<boolean>;
  /** npm's own value for a key (e.g. running `npm config get KEY`), or undefined without npm. */
  askNpm?: (key: string) => Promise<string | undefined>;
}

export type ConfigLayer = 'env' | 'project' | 'user' | 'global' | 'npm';

/** The merged npm configuration distill uses. */
export interface NpmConfig {
  /** The registry URL, always ending in `/`. */
  registry: string;
  /** Which layer set `registry`. */
  registrySource: ConfigLayer;
  /** The config files that were read, lowest precedence first. */
  files: string[];
  /** Every setting after `${VAR}` expansion and precedence (credential keys included). */
  settings: Record<string, IniValue>;
}

/** `npm_config_*` variables as config keys (npm: `_` → `-`, lower case; `//…` keys kept as written). */
export function envSettings(env: Env): Record<string, IniValue> {
  const out: Record<string, IniValue> = Object.create(null);
  for (const [name, value] of Object.entries(env)) {
    if (!/^npm_config_/i.test(name) || value === undefined || value === '') continue;
    let key = name.slice('npm_config_'.length);
    if (!key.startsWith('//')) key = key.replace(/(?!^)_/g, '-').toLowerCase();
    out[key] = value;
  }
  return out;
}

function expandAll(raw: Record<string, IniValue>, env: Env): Record<string, IniValue> {
  const out: Record<string, IniValue> = Object.create(null);
  for (const [k, v] of Object.entries(raw)) {
    const key = expandEnv(k, env);
    out[key] =
      typeof v === 'string' ? expandEnv(v, env) : Array.isArray(v) ? v.map((x) => expandEnv(x, env)) : v;
  }
  return out;
}

async function projectRoot(src: NpmConfigSources): Promise<string> {
  // npm's localPrefix: the nearest directory up from cwd with package.json or node_modules.
  for (let dir = resolve(src.cwd); ; dir = dirname(dir)) {
    if ((await src.exists(join(dir, 'package.json'))) || (await src.exists(join(dir, 'node_modules'))))
      return dir;
    if (dirname(dir) === dir) return resolve(src.cwd);
  }
}

const str = (v: IniValue | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);

/** Normalises a registry URL (http or https, trailing `/`) or throws NPM_CONFIG_INVALID. */
export function normaliseRegistry(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch (err) {
    throw new NpmError('NPM_CONFIG_INVALID', `registry in ${where} is not a URL: ${JSON.stringify(value)}`, {
      cause: err,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new NpmError(
      'NPM_CONFIG_INVALID',
      `registry in ${where} must be http(s): ${JSON.stringify(value)}`,
    );
  url.search = '';
  url.hash = '';
  return url.href.replace(/\/*$/, '/');
}

/**
 * Reads the npm configuration layers and returns the registry and settings.
 * @example
 *   const cfg = await discoverNpmConfig(nodeConfigSources());
 *   cfg.registry; // e.g. the URL `npm config get registry` prints
 */
export async function discoverNpmConfig(src: NpmConfigSources): Promise<NpmConfig> {
  const env = src.env;
  const files: string[] = [];
  const read = async (path: string, layer: ConfigLayer) => {
    let text: string | undefined;
    try {
      text = await src.readFile(path);
    } catch (err) {
      throw new NpmError('NPM_CONFIG_INVALID', `cannot read npm ${layer} config ${path}`, { cause: err });
    }
    if (text === undefined) return {};
    files.push(path);
    return expandAll(parseIni(text), env);
  };
  // npm's path-typed settings expand a leading `~/` to the home directory.
  const pathOf = (p: string) => resolve(src.cwd, p.replace(/^~(?=$|\/)/, src.home));
  const fromEnv = envSettings(env);
  const projectDir = await projectRoot(src);
  const userPath = pathOf(str(fromEnv.userconfig) ?? join(src.home, '.npmrc'));
  const projectPath = join(projectDir, '.npmrc');
  // npm skips the project file when it is the user file (a project in $HOME).
  const project = projectPath === userPath ? {} : await read(projectPath, 'project');
  const userFile = pathOf(str(fromEnv.userconfig) ?? str(project.userconfig) ?? userPath);
  const user = await read(userFile, 'user');
  const prefix = pathOf(
    str(fromEnv.prefix) ??
      str(project.prefix) ??
      str(user.prefix) ??
      src.prefix ??
      env.PREFIX ??
      dirname(dirname(src.execPath ?? process.execPath)),
  );
  const globalPath = pathOf(
    str(fromEnv.globalconfig) ??
      str(project.globalconfig) ??
      str(user.globalconfig) ??
      join(prefix, 'etc', 'npmrc'),
  );
  const global = await read(globalPath, 'global');
  files.reverse(); // read highest first; report lowest first
  const layers: [ConfigLayer, Record<string, IniValue>][] = [
    ['env', fromEnv],
    ['project', project],
    ['user', user],
    ['global', global],
  ];
  const settings: Record<string, IniValue> = Object.assign(
    Object.create(null),
    global,
    user,
    project,
    fromEnv,
  );
  for (const [layer, values] of layers) {
    const r = str(values.registry);
    if (r)
      return {
        registry: normaliseRegistry(r, `npm ${layer} config`),
        registrySource: layer,
        files,
        settings,
      };
  }
  const asked = src.askNpm ? await src.askNpm('registry') : undefined;
  if (asked && asked !== 'undefined') {
    const registry = normaliseRegistry(asked, 'npm config get registry');
    settings.registry = registry;
    return { registry, registrySource: 'npm', files, settings };
  }
  throw new NpmError(
    'NPM_REGISTRY_UNSET',
    'no npm registry configured and npm is not available to ask: set npm_config_registry or add registry=URL to ~/.npmrc',
  );
}
