/**
 * `distill kube IMAGE`: from an opened image and the command's options to the objects of
 * manifest.ts. Options are checked first (checkKubeOptions), so a bad flag fails before any image
 * is read. The image is referenced by digest: a registry's own digest for `docker://` (the
 * manifest or index the registry served), the manifest's or index's digest for an OCI layout —
 * the one a copy to a registry keeps — under the name `--image-ref` gives.
 */
import type { Artifact } from '../oci/index.ts';
import { imageForPlatform } from '../oci/index.ts';
import { parseReference } from '../registry/index.ts';
import { parseImageRef } from '../transports/index.ts';
import { KubeError } from './errors.ts';
import { type ImageUser, imageFacts, type PortSpec, parsePort } from './image-facts.ts';
import { type KubeObject, manifests, type Resources } from './manifest.ts';
import { checkMountPath, nameHint, objectName } from './names.ts';

/** What the CLI's flags say, as given. */
export interface KubeOptions {
  name?: string;
  namespace?: string;
  /** The registry name the cluster pulls from; the digest is appended. */
  imageRef?: string;
  platform?: string;
  /** `UID[:GID]`, numbers: run as this user instead of the image's. */
  user?: string;
  allowRoot?: boolean;
  ports?: readonly string[];
  env?: readonly string[];
  writable?: readonly string[];
  cpu?: string;
  memory?: string;
  cpuLimit?: string;
  memoryLimit?: string;
  replicas?: string | number;
  networkPolicy?: boolean;
}

export interface CheckedKubeOptions {
  name?: string;
  namespace?: string;
  imageRef?: { registry: string; repository: string; tag?: string; digest?: string };
  platform?: string;
  user?: { uid: number; gid?: number };
  allowRoot: boolean;
  ports: PortSpec[];
  env: { name: string; value: string }[];
  writable: string[];
  requests: Resources;
  limits: Resources;
  replicas: number;
  networkPolicy: boolean;
}

export interface KubeResult {
  objects: KubeObject[];
  /** The image as the Deployment names it (by digest). */
  image: string;
  digest: string;
  name: string;
  user: ImageUser;
  warnings: string[];
}

/** Defaults for requests: what a small service asks for; override with --cpu / --memory. */
export const DEFAULT_REQUESTS = { cpu: '100m', memory: '128Mi' } as const;

// Kubernetes quantities as people write them: a plain or decimal number with an SI, binary or
// milli suffix (or an exponent); negative and empty ones are refused.
const QUANTITY = /^(?:\d+(?:\.\d*)?|\.\d+)(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const bad = (message: string) => new KubeError('KUBE_OPTION_INVALID', message);

function quantity(flag: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!QUANTITY.test(v) || Number.parseFloat(v) === 0)
    throw bad(
      `${flag} ${JSON.stringify(v)} is not a positive Kubernetes quantity (e.g. 250m, 0.5, 256Mi, 1Gi)`,
    );
  return v;
}

function checkImageRef(s: string): NonNullable<CheckedKubeOptions['imageRef']> {
  try {
    const r = parseReference(s, { defaultTag: false });
    return {
      registry: r.registry,
      repository: r.repository,
      ...(r.tag ? { tag: r.tag } : {}),
      ...(r.digest ? { digest: r.digest } : {}),
    };
  } catch (err) {
    throw new KubeError(
      'KUBE_IMAGE_REF_INVALID',
      `--image-ref ${JSON.stringify(s)} is not a registry name (HOST/REPO): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** Checks every option (KUBE_OPTION_INVALID, KUBE_NAME_INVALID, KUBE_IMAGE_REF_INVALID). */
export function checkKubeOptions(o: KubeOptions): CheckedKubeOptions {
  if (o.name !== undefined) objectName(o.name, '');
  if (o.namespace !== undefined && !(o.namespace.length <= 63 && DNS1123.test(o.namespace)))
    throw bad(`--namespace ${JSON.stringify(o.namespace)} is not a DNS-1123 label`);
  let user: CheckedKubeOptions['user'];
  if (o.user !== undefined) {
    const m = /^(\d{1,10})(?::(\d{1,10}))?$/.exec(o.user);
    if (!m || Number(m[1]) > 2147483647 || Number(m[2] ?? 0) > 2147483647)
      throw bad(`--user ${JSON.stringify(o.user)} is not UID[:GID] (numbers, as the pod's runAsUser needs)`);
    user = { uid: Number(m[1]), ...(m[2] !== undefined ? { gid: Number(m[2]) } : {}) };
  }
  const ports = (o.ports ?? []).map((s) => {
    const p = parsePort(s);
    if (!p) throw bad(`--port ${JSON.stringify(s)} is not PORT[/tcp|udp|sctp] (1-65535)`);
    return p;
  });
  const env = (o.env ?? []).map((s) => {
    const i = s.indexOf('=');
    const name = i > 0 ? s.slice(0, i) : '';
    if (!ENV_NAME.test(name))
      throw bad(`--env ${JSON.stringify(s)} is not NAME=VALUE with a valid variable name`);
    return { name, value: s.slice(i + 1) };
  });
  const writable = (o.writable ?? []).map((p) => checkMountPath(p, '--writable'));
  const replicas = o.replicas === undefined ? 1 : Number(o.replicas);
  if (
    !Number.isInteger(replicas) ||
    replicas < 0 ||
    replicas > 1_000_000 ||
    String(o.replicas ?? 1).trim() === ''
  )
    throw bad(`--replicas ${JSON.stringify(o.replicas)} is not a whole number ≥ 0`);
  const limits: Resources = {};
  const cpuLimit = quantity('--cpu-limit', o.cpuLimit);
  const memoryLimit = quantity('--memory-limit', o.memoryLimit);
  if (cpuLimit) limits.cpu = cpuLimit;
  if (memoryLimit) limits.memory = memoryLimit;
  return {
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    ...(o.imageRef !== undefined ? { imageRef: checkImageRef(o.imageRef) } : {}),
    ...(o.platform !== undefined ? { platform: o.platform } : {}),
    ...(user ? { user } : {}),
    allowRoot: o.allowRoot === true,
    ports,
    env,
    writable,
    requests: {
      cpu: quantity('--cpu', o.cpu) ?? DEFAULT_REQUESTS.cpu,
      memory: quantity('--memory', o.memory) ?? DEFAULT_REQUESTS.memory,
    },
    limits,
    replicas,
    networkPolicy: o.networkPolicy === true,
  };
}

/** The registry name (without digest) the Deployment pulls from, and a warning when it is a guess. */
function registryName(
  reference: string,
  o: CheckedKubeOptions,
  digest: string,
): { name: string; warn?: string } {
  const ref = parseImageRef(reference);
  if (o.imageRef) {
    if (o.imageRef.digest && o.imageRef.digest !== digest)
      throw new KubeError(
        'KUBE_IMAGE_REF_INVALID',
        `--image-ref names ${o.imageRef.digest}, but ${reference} is ${digest}: give the name without a digest`,
      );
    const tag = o.imageRef.tag ? `:${o.imageRef.tag}` : '';
    const name = `${o.imageRef.registry}/${o.imageRef.repository}${tag}`;
    if (ref.transport === 'docker-archive' || ref.transport === 'docker-daemon')
      return {
        name,
        warn: `${reference}: the digest is that of the manifest distill reads from ${ref.transport === 'docker-archive' ? 'the archive' : 'the Docker engine'}; a registry's copy may have another — run distill kube on the pushed image (docker://…) to be sure`,
      };
    return { name };
  }
  if (ref.transport === 'docker') {
    const r = parseReference(ref.reference, { defaultTag: false });
    return { name: `${r.registry}/${r.repository}` };
  }
  throw new KubeError(
    'KUBE_IMAGE_REF_REQUIRED',
    `${reference} is not in a registry, so the cluster cannot pull it by that name: push it, then give --image-ref HOST/REPO (the digest ${digest} is appended)`,
  );
}

/** The objects for `artifact`, read from `reference`, under checked options `o`. */
export async function kubeManifests(
  artifact: Artifact,
  reference: string,
  o: CheckedKubeOptions,
): Promise<KubeResult> {
  const warnings: string[] = [];
  // An index is referenced as a whole (each node pulls its platform); its config facts come
  // from the image of --platform, else of this host's architecture.
  const digest = artifact.descriptor.digest;
  const reg = registryName(reference, o, digest);
  if (reg.warn) warnings.push(reg.warn);
  const image = imageForPlatform(reference, artifact, o.platform);
  const facts = await imageFacts(image);
  const user: ImageUser = o.user
    ? {
        raw: facts.user.raw,
        uid: o.user.uid,
        gid: o.user.gid ?? o.user.uid,
        gidFrom: o.user.gid !== undefined ? 'spec' : 'uid',
      }
    : facts.user;
  if (user.uid === 0 && !o.allowRoot)
    throw new KubeError(
      'KUBE_ROOT_USER',
      o.user
        ? '--user 0 is root: give a non-root --user, or --allow-root to write a pod that runs as root'
        : `${reference} runs as root (user ${JSON.stringify(facts.user.raw || '(unset)')}): use its :nonroot variant, give --user 65532, or --allow-root to write a pod that runs as root`,
    );
  if (user.uid === 0)
    warnings.push('the pod runs as root (--allow-root): it fails the restricted Pod Security Standard');
  const name = objectName(o.name, nameHint(reg.name));
  const ports = [...facts.ports];
  for (const p of o.ports)
    if (!ports.some((q) => q.port === p.port && q.protocol === p.protocol)) ports.push(p);
  const writable: string[] = [];
  const declared = facts.volumes.filter((v) => {
    try {
      return checkMountPath(v, 'volume') === v;
    } catch {
      warnings.push(
        `${reference} declares volume ${JSON.stringify(v)}, which no emptyDir can be mounted on: left out`,
      );
      return false;
    }
  });
  for (const p of ['/tmp', ...declared, ...o.writable]) if (!writable.includes(p)) writable.push(p);
  if (!ports.length)
    warnings.push(`${reference} exposes no port and no --port was given: no Service is written`);
  const imageName = `${reg.name}@${digest}`;
  const objects = manifests({
    name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    image: imageName,
    uid: user.uid,
    gid: user.gid,
    ports,
    writable,
    env: o.env,
    requests: o.requests,
    limits: o.limits,
    replicas: o.replicas,
    networkPolicy: o.networkPolicy,
  });
  return { objects, image: imageName, digest, name, user, warnings };
}
