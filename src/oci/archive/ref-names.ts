/**
 * Image names as docker writes them in RepoTags, and how they compare: `busybox`,
 * `busybox:latest`, `library/busybox` and `docker.io/library/busybox:latest` are the same name.
 */
import { OciError } from '../errors.ts';

const NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const HOST_RE = /^[A-Za-z0-9.-]+(?::[0-9]+)?$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface RepoTag {
  /** The repository as written (`busybox`, `ghcr.io/x/y`). */
  repository: string;
  tag: string;
}

/** Parses `NAME[:TAG]` (TAG defaults to latest); digests are refused since docker load cannot use them. */
export function parseRepoTag(s: string): RepoTag {
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  const repository = colon > slash ? s.slice(0, colon) : s;
  const tag = colon > slash ? s.slice(colon + 1) : 'latest';
  const parts = repository.split('/');
  const hasHost = parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '');
  const path = hasHost ? parts.slice(1).join('/') : repository;
  if (
    s.includes('@') ||
    !TAG_RE.test(tag) ||
    !NAME_RE.test(path) ||
    (hasHost && !HOST_RE.test(parts[0] ?? ''))
  ) {
    throw new OciError(
      'IMAGE_REF_INVALID',
      `not an image name for docker load: ${JSON.stringify(s)} (use NAME[:TAG])`,
    );
  }
  return { repository, tag };
}

/** The fully qualified form, for comparing names. */
export function canonicalRepoTag(s: string): string {
  const { repository, tag } = parseRepoTag(s);
  const parts = repository.split('/');
  let full = repository;
  if (parts.length === 1) full = `docker.io/library/${repository}`;
  else if (!/[.:]|^localhost$/.test(parts[0] ?? '')) full = `docker.io/${repository}`;
  full = full.replace(/^index\.docker\.io\//, 'docker.io/');
  if (/^docker\.io\/[^/]+$/.test(full)) full = full.replace('docker.io/', 'docker.io/library/');
  return `${full}:${tag}`;
}

/** Whether two names denote the same image name; unparsable names compare as written. */
export function sameRepoTag(a: string, b: string): boolean {
  try {
    return canonicalRepoTag(a) === canonicalRepoTag(b);
  } catch {
    return a === b;
  }
}
