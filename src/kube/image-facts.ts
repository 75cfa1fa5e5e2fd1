/**
 * What a Deployment needs to know of an image, read from its config and (for a named user or a
 * user without a group) its /etc/passwd and /etc/group: the uid and gid it runs as, the ports it
 * exposes, the directories it declares writable. The user is resolved as runc resolves
 * `Config.User`, with the audit's resolveUser: a uid without a group takes its passwd entry's gid.
 */
import { resolveUser } from '../audit/index.ts';
import type { ContainerConfig, Image } from '../oci/index.ts';
import { parseGroup } from '../run/index.ts';
import { scanImage } from '../scan/index.ts';
import { KubeError } from './errors.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortSpec {
  port: number;
  protocol: Protocol;
}

export interface ImageUser {
  /** `Config.User` as written ('' when unset). */
  raw: string;
  uid: number;
  gid: number;
  /** Where the gid came from (for messages): the user's spec, passwd, group, or the uid itself. */
  gidFrom: 'spec' | 'passwd' | 'group' | 'uid';
}

export interface ImageFacts {
  user: ImageUser;
  /** ExposedPorts, by number. */
  ports: PortSpec[];
  /** Declared `Volumes`, as written, sorted. */
  volumes: string[];
}

/** Parses `8080`, `8080/tcp`, `53/udp`, `9/sctp` (ExposedPorts keys and `--port` values). */
export function parsePort(s: string): PortSpec | undefined {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(s.trim());
  const port = Number(m?.[1]);
  if (!m || port < 1 || port > 65535) return undefined;
  return { port, protocol: (m[2] ?? 'tcp').toUpperCase() as Protocol };
}

const ETC = new Set(['/etc/passwd', '/etc/group']);

/**
 * The uid and gid `spec` (`user[:group]`, names or numbers) means in an image whose /etc/passwd
 * and /etc/group bodies are given. KUBE_USER_UNKNOWN for a name they do not hold.
 */
export function userOf(spec: string, passwd: string, group: string): ImageUser {
  const contents = new Map([
    ['/etc/passwd', Buffer.from(passwd)],
    ['/etc/group', Buffer.from(group)],
  ]);
  const r = resolveUser(spec, { files: new Map(), contents, hidden: [], layers: [] });
  const raw = spec.trim();
  if (r.user.uid === undefined)
    throw new KubeError(
      'KUBE_USER_UNKNOWN',
      `the image's user ${JSON.stringify(raw)} is not in its /etc/passwd: give --user UID[:GID]`,
    );
  const [, groupPart] = raw.split(':', 2) as [string, string | undefined];
  let gid: number | undefined;
  let gidFrom: ImageUser['gidFrom'] = 'spec';
  if (groupPart !== undefined && groupPart !== '' && !/^\d+$/.test(groupPart)) {
    gid = parseGroup(group).find((g) => g.name === groupPart)?.gid;
    gidFrom = 'group';
    if (gid === undefined)
      throw new KubeError(
        'KUBE_USER_UNKNOWN',
        `the image's group ${JSON.stringify(groupPart)} is not in its /etc/group: give --user UID:GID`,
      );
  } else if (r.gid !== undefined) {
    gid = r.gid;
    gidFrom = groupPart ? 'spec' : 'passwd';
  }
  // A uid with no passwd entry and no group would run with gid 0 (runc's default): the pod gets
  // a group of its own number instead, never root's group by accident.
  if (gid === undefined) {
    gid = r.user.uid;
    gidFrom = 'uid';
  }
  return { raw, uid: r.user.uid, gid, gidFrom };
}

/** Whether a `user[:group]` spec is all numbers, so no file of the image is needed to resolve it. */
const numericBoth = (spec: string) => /^\d+:\d+$/.test(spec.trim());

/** Reads the facts of `image`; its layers are read only when the user needs /etc/passwd. */
export async function imageFacts(image: Image): Promise<ImageFacts> {
  const cfg: ContainerConfig = image.config.config ?? {};
  const spec = cfg.User ?? '';
  let passwd = '';
  let group = '';
  if (!numericBoth(spec)) {
    const files = await scanImage(image, { want: (p) => ETC.has(p), maxContent: 4 * 1024 * 1024 });
    passwd = files.contents.get('/etc/passwd')?.toString('utf8') ?? '';
    group = files.contents.get('/etc/group')?.toString('utf8') ?? '';
  }
  const ports: PortSpec[] = [];
  for (const key of Object.keys(cfg.ExposedPorts ?? {})) {
    const p = parsePort(key);
    if (p) ports.push(p);
  }
  ports.sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : 1));
  const volumes = Object.keys(cfg.Volumes ?? {}).sort();
  return { user: userOf(spec, passwd, group), ports, volumes };
}
