/**
 * `distill debug --kubectl pod/NAME`: the `kubectl debug` command that attaches a busybox shell to
 * a pod of distroless containers. By default an ephemeral container (`--target` shares the target
 * container's process namespace, so its files are at /proc/1/root) from the distill `:debug`
 * image matching the container's image; `--copy` the variant for pods that cannot take ephemeral
 * containers (`--copy-to=NAME-debug --share-processes`, a copy of the pod with the debugger added).
 *
 * The profile: a pod that must run as non-root (runAsNonRoot, a non-zero runAsUser, a `nonroot`
 * image, or a namespace that enforces the restricted Pod Security Standard) gets the
 * `:debug-nonroot` image and `--profile=restricted`, whose securityContext (runAsNonRoot, drop ALL,
 * no privilege escalation, RuntimeDefault seccomp) passes restricted admission; others get
 * `:debug` and `--profile=general` (root with SYS_PTRACE). The debugger inherits a pod-level
 * runAsUser; a container-level one is passed with `--custom`, so the shell runs as the target's
 * uid and may read /proc/1/root.
 */
import { DebugError } from './errors.ts';
import type { Pod, PodContainer } from './pod.ts';

export type KubectlProfile = 'general' | 'restricted';

export interface KubectlPlanOptions {
  /** `-c`: the target container (default: the pod's default-container annotation, else its first). */
  container?: string;
  /** `-n`: the namespace (default: the pod's, else kubectl's context). */
  namespace?: string;
  /** `--image`: the debug image, instead of the one derived from the container's image. */
  image?: string;
  /** Force a profile. */
  profile?: KubectlProfile;
  /** The namespace enforces `restricted` (label pod-security.kubernetes.io/enforce). */
  namespaceRestricted?: boolean;
}

export interface KubectlPlan {
  pod: string;
  namespace?: string;
  container: string;
  /** The image of the target container, and the debug image chosen for it. */
  targetImage: string;
  image: string;
  profile: KubectlProfile;
  /** Why the debugger must run as non-root (empty: it may run as root). */
  nonrootBecause: string[];
  /** A partial container spec for `--custom` (the target container's own runAsUser/runAsGroup). */
  custom?: { securityContext: { runAsUser?: number; runAsGroup?: number } };
  /** `kubectl` arguments: an ephemeral container, and a copy of the pod; `--custom={custom}` stands for the --custom file. */
  ephemeral: string[];
  copy: string[];
}

/** `--custom=CUSTOM` in the argument lists is replaced by the file's path when run. */
export const CUSTOM_PLACEHOLDER = '{custom}';

/**
 * The `:debug` image matching `image`: the tag becomes `debug` or `debug-nonroot` (a digest is
 * dropped, since the debug variant has its own).
 * @example debugImageFor('registry.example/distill/python3:nonroot', true) // 'registry.example/distill/python3:debug-nonroot'
 */
export function debugImageFor(image: string, nonroot: boolean): string {
  const noDigest = image.replace(/@sha256:[0-9a-f]{64}$/, '');
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const repo = colon > slash ? noDigest.slice(0, colon) : noDigest;
  return `${repo}:${nonroot ? 'debug-nonroot' : 'debug'}`;
}

function pickContainer(pod: Pod, name: string | undefined): PodContainer {
  const want = name ?? pod.defaultContainer;
  if (want === undefined) return pod.containers[0] as PodContainer;
  const c = pod.containers.find((x) => x.name === want);
  if (!c)
    throw new DebugError(
      'DEBUG_POD_INVALID',
      `pod ${pod.name} has no container ${JSON.stringify(want)} (it has ${pod.containers.map((x) => x.name).join(', ')})`,
    );
  return c;
}

/** Plans the `kubectl debug` commands for `pod`. */
export function planKubectlDebug(pod: Pod, o: KubectlPlanOptions = {}): KubectlPlan {
  const c = pickContainer(pod, o.container);
  const psc = pod.securityContext ?? {};
  const csc = c.securityContext ?? {};
  const because: string[] = [];
  if (csc.runAsNonRoot ?? psc.runAsNonRoot) because.push('runAsNonRoot: true');
  const uid = csc.runAsUser ?? psc.runAsUser;
  if (uid !== undefined && uid !== 0) because.push(`runAsUser: ${uid}`);
  const tag = /:([\w][\w.-]*)(@sha256:[0-9a-f]{64})?$/.exec(c.image.slice(c.image.lastIndexOf('/') + 1))?.[1];
  if (tag?.includes('nonroot')) because.push(`image tag ${tag}`);
  if (o.namespaceRestricted) because.push('namespace enforces restricted');
  const nonroot = because.length > 0;
  const profile = o.profile ?? (nonroot ? 'restricted' : 'general');
  const image = o.image ?? debugImageFor(c.image, nonroot);
  // A pod-level runAsUser reaches the ephemeral container by itself; a container-level one is
  // passed with --custom unless the derived image already runs as it (debug-nonroot: 65532).
  const imageUser = o.image ? undefined : nonroot ? 65532 : 0;
  const own = {
    ...(csc.runAsUser !== undefined ? { runAsUser: csc.runAsUser } : {}),
    ...(csc.runAsGroup !== undefined ? { runAsGroup: csc.runAsGroup } : {}),
  };
  const differs = Object.values(own).some((id) => id !== imageUser);
  const custom = differs ? { securityContext: own } : undefined;
  const namespace = o.namespace ?? pod.namespace;
  const common = [
    'debug',
    '-it',
    ...(namespace ? ['-n', namespace] : []),
    `pod/${pod.name}`,
    `--image=${image}`,
  ];
  const tail = [`--profile=${profile}`, ...(custom ? [`--custom=${CUSTOM_PLACEHOLDER}`] : [])];
  return {
    pod: pod.name,
    ...(namespace ? { namespace } : {}),
    container: c.name,
    targetImage: c.image,
    image,
    profile,
    nonrootBecause: because,
    ...(custom ? { custom } : {}),
    ephemeral: [...common, `--target=${c.name}`, ...tail],
    copy: [...common, `--copy-to=${pod.name}-debug`, '--share-processes', ...tail],
  };
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The command as a bash line: the --custom file, when there is one, is a process substitution
 * holding its JSON.
 */
export function shellCommand(args: readonly string[], custom?: KubectlPlan['custom']): string {
  return [
    'kubectl',
    ...args.map((a) =>
      a === `--custom=${CUSTOM_PLACEHOLDER}` ? `--custom=<(echo ${quote(JSON.stringify(custom))})` : quote(a),
    ),
  ].join(' ');
}
