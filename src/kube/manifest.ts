/**
 * The objects `distill kube IMAGE` writes: a Deployment whose pod runs with the seed's
 * securityContext (section 4) — uid and gid from the image, runAsNonRoot, no privilege
 * escalation, a read-only root, every capability dropped, the runtime's default seccomp profile —
 * emptyDir volumes on /tmp and the image's writable directories, resource requests, the image's
 * ports and the image by digest; a Service for those ports; optionally a NetworkPolicy that
 * admits traffic to them only. Pure: options in, plain objects out.
 */
import type { PortSpec } from './image-facts.ts';
import { portName, volumeNames } from './names.ts';

export interface Resources {
  cpu?: string;
  memory?: string;
}

export interface ManifestOptions {
  /** Object and container name (a DNS-1035 label). */
  name: string;
  namespace?: string;
  /** The image by digest: `HOST/REPO[:TAG]@sha256:…`. */
  image: string;
  uid: number;
  gid: number;
  ports: readonly PortSpec[];
  /** Mount paths for emptyDir volumes (`/tmp` first). */
  writable: readonly string[];
  env: readonly { name: string; value: string }[];
  requests: Resources;
  limits?: Resources;
  replicas: number;
  networkPolicy: boolean;
}

export type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string };

const LABEL = 'app.kubernetes.io/name';

/** Runtime-default seccomp, as the restricted Pod Security Standard asks. */
const SECCOMP = { type: 'RuntimeDefault' } as const;

const compact = (r: Resources | undefined) =>
  Object.fromEntries(Object.entries(r ?? {}).filter(([, v]) => v !== undefined));

/**
 * The pod's and the container's securityContext, the container's being the seed's block. uid 0
 * (only with --allow-root) gets runAsNonRoot false: true would keep the kubelet from starting it.
 */
export function securityContexts(uid: number, gid: number) {
  const runAsNonRoot = uid !== 0;
  return {
    pod: { runAsUser: uid, runAsGroup: gid, runAsNonRoot, seccompProfile: { ...SECCOMP } },
    container: {
      runAsUser: uid,
      runAsGroup: gid,
      runAsNonRoot,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { ...SECCOMP },
    },
  };
}

/** Deployment, then Service (when there are ports), then NetworkPolicy (when asked for). */
export function manifests(o: ManifestOptions): KubeObject[] {
  const labels = { [LABEL]: o.name };
  const metadata = { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), labels };
  const sc = securityContexts(o.uid, o.gid);
  const vols = volumeNames(o.writable);
  const limits = compact(o.limits);
  const container = {
    name: o.name,
    image: o.image,
    ...(o.ports.length
      ? {
          ports: o.ports.map((p) => ({ name: portName(p), containerPort: p.port, protocol: p.protocol })),
        }
      : {}),
    ...(o.env.length ? { env: o.env.map((e) => ({ name: e.name, value: e.value })) } : {}),
    resources: {
      requests: compact(o.requests),
      ...(Object.keys(limits).length ? { limits } : {}),
    },
    securityContext: sc.container,
    volumeMounts: o.writable.map((path, i) => ({ name: vols[i] as string, mountPath: path })),
  };
  const out: KubeObject[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: o.replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            // The app gets no API token it did not ask for.
            automountServiceAccountToken: false,
            securityContext: sc.pod,
            containers: [container],
            volumes: vols.map((name) => ({ name, emptyDir: {} })),
          },
        },
      },
    },
  ];
  if (o.ports.length)
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        selector: labels,
        ports: o.ports.map((p) => ({
          name: portName(p),
          port: p.port,
          targetPort: portName(p),
          protocol: p.protocol,
        })),
      },
    });
  if (o.networkPolicy)
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata,
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress'],
        // Only the image's ports are reachable; with none, no ingress at all.
        ingress: o.ports.length
          ? [{ ports: o.ports.map((p) => ({ port: p.port, protocol: p.protocol })) }]
          : [],
      },
    });
  return out;
}
