/**
 * Where credentials come from, as docker, podman and go-containerregistry look for them:
 * $DOCKER_CONFIG/config.json (else ~/.docker/config.json), then $REGISTRY_AUTH_FILE, then
 * containers' auth.json ($XDG_RUNTIME_DIR, then $XDG_CONFIG_HOME or ~/.config). In each file:
 * credHelpers for the host, then credsStore, then auths (base64 `auth`, or username/password,
 * identitytoken, registrytoken). Helpers are `docker-credential-<name> get` with the server on stdin.
 */
import { join } from 'node:path';
import { RegistryError } from './errors.ts';
import { DOCKER_HUB } from './reference.ts';

export interface Credentials {
  username?: string;
  password?: string;
  /** A refresh token (docker's identitytoken; a helper's `<token>` user): exchanged at the token realm. */
  identityToken?: string;
  /** A bearer token to send as is (auths.registrytoken). */
  registryToken?: string;
}

/** Finds credentials for a registry (and optionally a repository on it). */
export interface Keychain {
  resolve(registry: string, repository?: string): Promise<Credentials | undefined>;
}

/** The effects a keychain needs, injected so tests use a temp dir and a fake helper. */
export interface KeychainEnv {
  env: Record<string, string | undefined>;
  homedir: string;
  /** Reads a file; undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /** Runs `docker-credential-<helper> <action>` with `input` on stdin. */
  runHelper(helper: string, action: 'get' | 'store' | 'erase', input: string): Promise<HelperResult>;
}

export interface HelperResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [k: string]: unknown;
}

/** The config files searched, in order. */
export function configPaths(e: Pick<KeychainEnv, 'env' | 'homedir'>): string[] {
  const env = e.env;
  const paths = [join(env.DOCKER_CONFIG || join(e.homedir, '.docker'), 'config.json')];
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  paths.push(join(env.XDG_CONFIG_HOME || join(e.homedir, '.config'), 'containers', 'auth.json'));
  return paths;
}

/** The path `docker login` writes. */
export function dockerConfigPath(e: Pick<KeychainEnv, 'env' | 'homedir'>): string {
  return join(e.env.DOCKER_CONFIG || join(e.homedir, '.docker'), 'config.json');
}

/** `https://host:port/v1/` → `host:port`; Docker Hub's aliases → `docker.io`. */
export function normalizeAuthKey(key: string): string {
  const k = key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/v[12]\/?$/, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  const host = k.split('/')[0] ?? k;
  const rest = k.slice(host.length);
  const h = host === DOCKER_HUB.apiHost || host === `registry-1.${DOCKER_HUB.name}` ? DOCKER_HUB.name : host;
  return h + rest;
}

/** The server URL helpers and config keys use for a registry (Docker Hub's is special). */
export function serverKey(registry: string): string {
  return registry === DOCKER_HUB.name ? DOCKER_HUB.configKey : registry;
}

export async function readConfigFile(e: KeychainEnv, path: string): Promise<DockerConfigFile | undefined> {
  const text = await e.readFile(path);
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const j = JSON.parse(text) as unknown;
    if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new Error('not a JSON object');
    return j as DockerConfigFile;
  } catch (err) {
    throw new RegistryError('REGISTRY_CONFIG_INVALID', `${path}: ${(err as Error).message}`, { cause: err });
  }
}

function fromEntry(entry: AuthEntry, where: string): Credentials | undefined {
  const c: Credentials = {};
  if (entry.auth) {
    const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = plain.indexOf(':');
    if (i < 0)
      throw new RegistryError('REGISTRY_CONFIG_INVALID', `${where}: "auth" is not base64 of user:password`);
    c.username = plain.slice(0, i);
    c.password = plain.slice(i + 1);
  }
  if (entry.username) c.username = entry.username;
  if (entry.password) c.password = entry.password;
  if (entry.identitytoken) c.identityToken = entry.identitytoken;
  if (entry.registrytoken) c.registryToken = entry.registrytoken;
  return Object.keys(c).length ? c : undefined;
}

/** Asks a credential helper; undefined when it has nothing for the server. */
export async function helperGet(
  e: KeychainEnv,
  helper: string,
  server: string,
): Promise<Credentials | undefined> {
  let r: HelperResult;
  try {
    r = await e.runHelper(helper, 'get', server);
  } catch (err) {
    throw new RegistryError(
      'REGISTRY_CREDENTIAL_HELPER_FAILED',
      `cannot run docker-credential-${helper}: ${(err as Error).message} (install it, or remove it from the docker config)`,
      { cause: err },
    );
  }
  if (r.code !== 0) {
    if (/credentials not found/i.test(r.stdout + r.stderr)) return undefined;
    throw new RegistryError(
      'REGISTRY_CREDENTIAL_HELPER_FAILED',
      `docker-credential-${helper} get failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`,
    );
  }
  let j: { Username?: string; Secret?: string };
  try {
    j = JSON.parse(r.stdout) as typeof j;
  } catch (err) {
    throw new RegistryError(
      'REGISTRY_CREDENTIAL_HELPER_FAILED',
      `docker-credential-${helper} printed no JSON`,
      {
        cause: err,
      },
    );
  }
  if (!j.Secret) return undefined;
  return j.Username === '<token>'
    ? { identityToken: j.Secret }
    : { username: j.Username ?? '', password: j.Secret };
}

/** Lookup keys from most to least specific: host/ns/repo, host/ns, host. */
function candidateKeys(registry: string, repository?: string): string[] {
  const keys: string[] = [];
  if (repository) {
    const parts = repository.split('/');
    for (let n = parts.length; n > 0; n--) keys.push(`${registry}/${parts.slice(0, n).join('/')}`);
  }
  keys.push(registry);
  return keys;
}

/** Looks a registry up in one config file. */
export async function lookupInFile(
  e: KeychainEnv,
  file: DockerConfigFile,
  path: string,
  registry: string,
  repository?: string,
): Promise<Credentials | undefined> {
  const helpers = Object.fromEntries(
    Object.entries(file.credHelpers ?? {}).map(([k, v]) => [normalizeAuthKey(k), v]),
  );
  const helper = helpers[registry];
  if (helper) return helperGet(e, helper, serverKey(registry));
  if (file.credsStore) {
    const c = await helperGet(e, file.credsStore, serverKey(registry));
    if (c) return c;
  }
  const auths = new Map(Object.entries(file.auths ?? {}).map(([k, v]) => [normalizeAuthKey(k), v]));
  for (const key of candidateKeys(registry, repository)) {
    const entry = auths.get(key);
    if (entry) {
      const c = fromEntry(entry, `${path} auths["${key}"]`);
      if (c) return c;
    }
  }
  return undefined;
}

/** The keychain over docker's and containers' config files. */
export function dockerKeychain(e: KeychainEnv): Keychain {
  return {
    async resolve(registry, repository) {
      for (const path of configPaths(e)) {
        const file = await readConfigFile(e, path);
        if (!file) continue;
        const c = await lookupInFile(e, file, path, registry, repository);
        if (c) return c;
      }
      return undefined;
    },
  };
}

/** A keychain that always answers the same credentials (for --username/--password style use). */
export function staticKeychain(map: Record<string, Credentials>): Keychain {
  return { resolve: async (registry) => map[registry] };
}

/** No credentials: every registry anonymously. */
export const anonymousKeychain: Keychain = { resolve: async () => undefined };
