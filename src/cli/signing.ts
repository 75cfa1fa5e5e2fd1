/**
 * What `distill sign`, `attest`, `verify` and the `--sign`/`--attest` flags of build, base and push
 * share: key files, the store an image reference names, and the predicates distill makes itself
 * (SPDX/CycloneDX from the image, SLSA provenance from a lock).
 */
import { readFile } from 'node:fs/promises';
import {
  inTotoStatement,
  type ProvenanceInput,
  predicateTypeUri,
  provenanceV1,
  provenanceV02,
} from '../attest/index.ts';
import { type AppLockFile, type BaseLockFile, LockError } from '../lock/index.ts';
import { imageForPlatform } from '../oci/index.ts';
import type { RegistryClientOptions } from '../registry/index.ts';
import { type ImageSbom, imageSbom, sbomOf } from '../sbom/index.ts';
import {
  type AttachedStore,
  keySigner,
  keyVerifier,
  layoutStore,
  parsePrivateKey,
  parsePublicKey,
  registryStore,
  SignError,
  type Signer,
  type Verifier,
} from '../sign/index.ts';
import { parseImageRef } from '../transports/index.ts';
import { UsageError } from './errors.ts';
import { distillTool } from './tool.ts';

type Env = Record<string, string | undefined>;

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new SignError('SIGN_KEY_INVALID', `cannot read the key ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** The signer of a cosign.key (password from $COSIGN_PASSWORD) or an unencrypted EC key. */
export async function loadSigner(path: string, env: Env = process.env): Promise<Signer> {
  return keySigner(parsePrivateKey(await readKeyFile(path), env.COSIGN_PASSWORD, path));
}

/** The verifier of a cosign.pub. */
export async function loadVerifier(path: string): Promise<Verifier> {
  return keyVerifier(parsePublicKey(await readKeyFile(path), path));
}

/** The store of IMAGE: a registry reference, or `oci:DIR[:TAG]`. */
export async function storeFor(
  ref: string,
  registry: RegistryClientOptions,
  identity?: string,
): Promise<AttachedStore> {
  const r = parseImageRef(ref);
  if (r.transport === 'oci') return layoutStore(r.dir, r.tag, identity);
  if (r.transport === 'docker') return registryStore(r.reference, registry, identity);
  throw new SignError(
    'SIGN_TARGET_UNSUPPORTED',
    `${ref}: signatures live in a registry or an OCI layout (oci:DIR); a ${r.transport} image has no place for them`,
  );
}

export interface PredicateSources {
  /** --predicate FILE: the predicate as given. */
  predicateFile?: string;
  /** --lock FILE, or the lock a build just made: for SLSA provenance. */
  lock?: ProvenanceInput['lock'];
  lockBytes?: Buffer;
  lockName?: string;
  appLayers?: ProvenanceInput['appLayers'];
  epoch?: number;
  builderId?: string;
  /** --platform: which image of an index the SBOM describes. */
  platform?: string;
  env?: Env;
}

/** Reads a lock file for provenance (an app's distill.lock or a base's --lock file). */
export async function readLockForProvenance(
  path: string,
): Promise<{ lock: AppLockFile | BaseLockFile; bytes: Buffer }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new UsageError(`cannot read the lock ${path}: ${(e as Error).message}`, { cause: e });
  }
  let lock: AppLockFile | BaseLockFile;
  try {
    lock = JSON.parse(bytes.toString('utf8')) as AppLockFile | BaseLockFile;
  } catch (e) {
    throw new LockError('LOCK_INVALID', `${path} is not JSON`, { cause: e });
  }
  if (lock?.lockVersion !== 1 || (lock.kind !== 'app' && lock.kind !== 'base'))
    throw new LockError('LOCK_INVALID', `${path} is not a distill lock (lockVersion 1, kind app or base)`);
  return { lock, bytes };
}

const SLSA = new Set(['slsaprovenance', 'slsaprovenance02', 'slsaprovenance1']);

/** Package inventories of the images this process has made SBOM predicates for, by digest. */
const inventories = new Map<string, Promise<ImageSbom['inventory']>>();

/** The in-toto statement of `type` about the store's image. */
export async function statementFor(
  type: string,
  store: AttachedStore,
  src: PredicateSources,
): Promise<{ statement: Buffer; predicateType: string }> {
  const predicateType = predicateTypeUri(type);
  let predicate: unknown;
  if (src.predicateFile) {
    const text = await readFile(src.predicateFile, 'utf8').catch((e: Error) => {
      throw new SignError('SIGN_PREDICATE_INVALID', `cannot read ${src.predicateFile}: ${e.message}`, {
        cause: e,
      });
    });
    try {
      predicate = JSON.parse(text);
    } catch (e) {
      throw new SignError('SIGN_PREDICATE_INVALID', `${src.predicateFile} is not JSON`, { cause: e });
    }
  } else if (type === 'spdx' || type === 'spdxjson' || type === 'cyclonedx') {
    if (!store.artifact)
      throw new SignError('SIGN_TARGET_UNSUPPORTED', `${store.where}: the image was not read`);
    const image = imageForPlatform(store.where, store.artifact, src.platform);
    const o = {
      format: type === 'cyclonedx' ? ('cyclonedx-json' as const) : ('spdx-json' as const),
      name: store.name,
      env: src.env ?? process.env,
      tool: await distillTool(),
    };
    // The same image attested under several names (a layout and the registry, a publish's
    // aliases) is scanned once: its inventory is a function of its digest.
    const d = image.descriptor.digest;
    const known = inventories.get(d);
    const sbom = known ? sbomOf(image, await known, o) : await imageSbom(image, o);
    if (!known) inventories.set(d, Promise.resolve(sbom.inventory));
    predicate = JSON.parse(sbom.text);
  } else if (SLSA.has(type)) {
    if (!src.lock)
      throw new UsageError(
        `--type ${type} needs --lock FILE (the distill.lock the image was built from) or --predicate FILE`,
      );
    const input: ProvenanceInput = {
      lock: src.lock,
      ...(src.lockBytes ? { lockBytes: src.lockBytes } : {}),
      ...(src.lockName ? { lockName: src.lockName } : {}),
      ...(src.appLayers ? { appLayers: src.appLayers } : {}),
      epoch: src.epoch ?? 0,
      ...(src.builderId ? { builderId: src.builderId } : {}),
      distillVersion: (await distillTool()).version,
    };
    predicate = type === 'slsaprovenance1' ? provenanceV1(input) : provenanceV02(input);
  } else {
    throw new UsageError(
      `--type ${type} needs --predicate FILE (distill makes spdxjson, cyclonedx and SLSA provenance itself)`,
    );
  }
  return {
    statement: inTotoStatement(store.name, store.subject.digest, predicateType, predicate),
    predicateType,
  };
}
