/**
 * `distill login`: check the credentials against the registry, then store them as `docker login`
 * does — in the credential helper the config names (credHelpers for the host, else credsStore),
 * else base64 in config.json's `auths` — keeping every other key of the file as it was.
 */
import { chmod, mkdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type RegistryClientOptions, registryHttpFor } from './client.ts';
import { RegistryError } from './errors.ts';
import {
  type DockerConfigFile,
  dockerConfigPath,
  type KeychainEnv,
  normalizeAuthKey,
  readConfigFile,
  serverKey,
  staticKeychain,
} from './keychain.ts';
import { RegistrySession, repoScope } from './session.ts';

export interface LoginOptions extends RegistryClientOptions {
  username: string;
  password: string;
}

/**
 * Pings the registry and authenticates with the credentials (a token for the catalog-less
 * `repository:` scope is enough to prove them); throws REGISTRY_AUTH_FAILED when refused.
 */
export async function verifyLogin(registry: string, opts: LoginOptions): Promise<void> {
  const creds = { username: opts.username, password: opts.password };
  const session = new RegistrySession(registry, registryHttpFor(opts), staticKeychain({ [registry]: creds }));
  const res = await session.request({ method: 'GET', url: '/v2/', what: `log in to ${registry}` }, [
    repoScope('distill-login-check', 'pull'),
  ]);
  await res.discard();
  if (res.status !== 200) {
    throw new RegistryError(
      'REGISTRY_HTTP_ERROR',
      `log in to ${registry}: /v2/ answered HTTP ${res.status}`,
      {
        status: res.status,
      },
    );
  }
}

/** Stores the credentials; resolves to where (the config path, or `docker-credential-NAME`). */
export async function saveLogin(
  e: KeychainEnv,
  registry: string,
  username: string,
  password: string,
): Promise<string> {
  const path = dockerConfigPath(e);
  const file: DockerConfigFile = (await readConfigFile(e, path)) ?? {};
  const key = serverKey(registry);
  const helpers = Object.fromEntries(
    Object.entries(file.credHelpers ?? {}).map(([k, v]) => [normalizeAuthKey(k), v]),
  );
  const helper = helpers[registry] ?? file.credsStore;
  const auths = { ...(file.auths ?? {}) };
  for (const k of Object.keys(auths)) if (normalizeAuthKey(k) === registry) delete auths[k];
  let where = path;
  if (helper) {
    const r = await e.runHelper(
      helper,
      'store',
      JSON.stringify({ ServerURL: key, Username: username, Secret: password }),
    );
    if (r.code !== 0) {
      throw new RegistryError(
        'REGISTRY_CREDENTIAL_HELPER_FAILED',
        `docker-credential-${helper} store failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`,
      );
    }
    auths[key] = {};
    where = `docker-credential-${helper}`;
  } else {
    auths[key] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  }
  const text = `${JSON.stringify({ ...file, auths }, null, '\t')}\n`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // A config.json that is a symlink (dotfiles kept in a repo) is written through: the new file
  // replaces the link's target, keeping its mode, and the link stays a link.
  const target = await realpath(path).catch(() => path);
  const mode = await stat(target).then(
    (st) => st.mode & 0o777,
    () => 0o600,
  );
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, { mode });
    await chmod(tmp, mode);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return where;
}
