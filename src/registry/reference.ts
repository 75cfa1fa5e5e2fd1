/**
 * Registry references, with Docker's normalisation: `alpine` is `docker.io/library/alpine:latest`,
 * a first component with a `.` or `:` or equal to `localhost` is a registry host, and Docker Hub's
 * API host differs from its name. Grammar from distribution's reference package.
 */
import { RegistryError } from './errors.ts';

/** Docker Hub: the name people write, the host its API lives on, the key docker login stores. */
export const DOCKER_HUB = {
  name: 'docker.io',
  apiHost: 'index.docker.io',
  configKey: 'https://index.docker.io/v1/',
} as const;

export interface Reference {
  /** Registry host with port as written (`docker.io` for Docker Hub), lower-cased. */
  readonly registry: string;
  /** Repository path, `library/` added for Docker Hub official images. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: `sha256:${string}`;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;

function invalid(s: string, why: string): never {
  throw new RegistryError('REGISTRY_REF_INVALID', `not an image reference: ${JSON.stringify(s)} (${why})`);
}

/**
 * Parses `[HOST[:PORT]/]REPO[:TAG][@sha256:HEX]`. Without tag or digest the tag is `latest`
 * (unless `defaultTag` is false). A leading `docker://` is accepted.
 */
export function parseReference(input: string, opts: { defaultTag?: boolean } = {}): Reference {
  let s = input.startsWith('docker://') ? input.slice('docker://'.length) : input;
  if (!s) invalid(input, 'empty');
  let digest: Reference['digest'];
  const at = s.indexOf('@');
  if (at >= 0) {
    const d = s.slice(at + 1);
    if (!DIGEST.test(d)) invalid(input, 'the digest must be sha256: and 64 lower-case hex digits');
    digest = d as Reference['digest'];
    s = s.slice(0, at);
  }
  let tag: string | undefined;
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
    if (!TAG.test(tag)) invalid(input, `bad tag ${JSON.stringify(tag)}`);
  }
  const parts = s.split('/');
  let registry: string = DOCKER_HUB.name;
  const first = parts[0] ?? '';
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first))
  ) {
    if (!HOST.test(first)) invalid(input, `bad registry host ${JSON.stringify(first)}`);
    registry = first.toLowerCase();
    parts.shift();
  }
  if (registry === DOCKER_HUB.apiHost || registry === `registry-1.${DOCKER_HUB.name}`)
    registry = DOCKER_HUB.name;
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    invalid(input, 'repository names are lower-case letters, digits and . _ - separated by /');
  }
  if (registry === DOCKER_HUB.name && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (repository.length > 255) invalid(input, 'repository name longer than 255 characters');
  if (!tag && !digest && opts.defaultTag !== false) tag = 'latest';
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The canonical text of a reference: `host/repo:tag`, `host/repo@digest` or `host/repo:tag@digest`. */
export function formatReference(r: Reference): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** What a manifest request names: the digest when there is one, else the tag. */
export function manifestIdentifier(r: Reference): string {
  return r.digest ?? r.tag ?? 'latest';
}

/** The host the registry API is reached at (Docker Hub's differs from its name). */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB.name ? DOCKER_HUB.apiHost : registry;
}
