/**
 * Kubernetes names: the object name (a DNS-1035 label, as a Service's name must be), port names
 * (IANA service names, at most 15 characters) and volume names (DNS-1123 labels), made from what
 * an image and its reference say.
 */
import { posix } from 'node:path';
import { KubeError } from './errors.ts';
import type { PortSpec } from './image-facts.ts';

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `s` is a DNS-1035 label: lower-case letters, digits and '-', a letter first, ≤ 63. */
export function isDns1035(s: string): boolean {
  return s.length <= 63 && DNS1035.test(s);
}

/** A DNS-1035 label made of `hint` (`distill-out/My_App.v2` → `my-app-v2`), or undefined. */
export function labelOf(hint: string): string | undefined {
  const s = hint
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return s ? s : undefined;
}

/** `--name` checked, else a label made of the image's name; KUBE_NAME_INVALID otherwise. */
export function objectName(given: string | undefined, hint: string): string {
  if (given !== undefined) {
    if (isDns1035(given)) return given;
    throw new KubeError(
      'KUBE_NAME_INVALID',
      `--name ${JSON.stringify(given)} is not a DNS-1035 label (lower-case letters, digits and '-', a letter first, at most 63 characters)`,
    );
  }
  const made = labelOf(hint);
  if (made) return made;
  throw new KubeError('KUBE_NAME_INVALID', `cannot make a name of ${JSON.stringify(hint)}: give --name NAME`);
}

/** The last path component of an image's name, without tag or digest: what names its objects. */
export function nameHint(reference: string): string {
  const noDigest = reference.split('@')[0] ?? reference;
  const last = noDigest.replace(/\/+$/, '').split('/').pop() ?? '';
  const colon = last.indexOf(':');
  const base = colon > 0 ? last.slice(0, colon) : last;
  return base.replace(/\.(tar|tar\.gz|tgz)$/, '');
}

/** `tcp-8080`, `udp-53`: an IANA service name (≤ 15 characters, a letter in it). */
export function portName(p: PortSpec): string {
  return `${p.protocol.toLowerCase()}-${p.port}`;
}

/** An absolute, normal mount path with no ':' (KUBE_OPTION_INVALID otherwise). */
export function checkMountPath(path: string, what: string): string {
  const norm = posix.normalize(path).replace(/(.)\/+$/, '$1');
  if (!path.startsWith('/') || norm !== path.replace(/(.)\/+$/, '$1') || path.includes(':') || norm === '/')
    throw new KubeError(
      'KUBE_OPTION_INVALID',
      `${what} ${JSON.stringify(path)} is not a writable directory an emptyDir can be mounted on (an absolute, normal path other than /, without ':')`,
    );
  return norm;
}

/** Volume names (DNS-1123 labels) for mount paths, unique, in the order given: `/tmp` → `tmp`. */
export function volumeNames(paths: readonly string[]): string[] {
  const used = new Set<string>();
  return paths.map((p) => {
    const base =
      p
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 56)
        .replace(/-+$/, '') || 'vol';
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    return name;
  });
}
