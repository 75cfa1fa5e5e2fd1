/**
 * The parts of a Pod (`kubectl get pod NAME -o yaml` or `-o json`) that decide how to debug it:
 * its containers' images and the securityContexts (pod and container) that say who they run as.
 */
import { DebugError } from './errors.ts';

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
}

export interface PodContainer {
  name: string;
  image: string;
  securityContext?: SecurityContext;
}

export interface Pod {
  name: string;
  namespace?: string;
  containers: PodContainer[];
  securityContext?: SecurityContext;
  /** metadata.annotations['kubectl.kubernetes.io/default-container']. */
  defaultContainer?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function securityContext(v: unknown): SecurityContext | undefined {
  if (!isObj(v)) return undefined;
  const sc: SecurityContext = {};
  if (typeof v.runAsUser === 'number') sc.runAsUser = v.runAsUser;
  if (typeof v.runAsGroup === 'number') sc.runAsGroup = v.runAsGroup;
  if (typeof v.runAsNonRoot === 'boolean') sc.runAsNonRoot = v.runAsNonRoot;
  return sc;
}

/** A Pod from its YAML or JSON text; DEBUG_POD_INVALID for anything else. */
export async function parsePod(text: string, what: string): Promise<Pod> {
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new DebugError('DEBUG_POD_INVALID', `${what}: not YAML or JSON: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!isObj(doc) || doc.kind !== 'Pod')
    throw new DebugError(
      'DEBUG_POD_INVALID',
      `${what}: not a Pod (kind ${JSON.stringify(isObj(doc) ? doc.kind : typeof doc)}); give the output of kubectl get pod NAME -o yaml`,
    );
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const spec = isObj(doc.spec) ? doc.spec : {};
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isObj).flatMap((c) => {
    if (typeof c.name !== 'string' || typeof c.image !== 'string') return [];
    const sc = securityContext(c.securityContext);
    return [{ name: c.name, image: c.image, ...(sc ? { securityContext: sc } : {}) }];
  });
  if (typeof meta.name !== 'string' || containers.length === 0)
    throw new DebugError(
      'DEBUG_POD_INVALID',
      `${what}: the Pod has no metadata.name or no containers with an image`,
    );
  const annotations = isObj(meta.annotations) ? meta.annotations : {};
  const def = annotations['kubectl.kubernetes.io/default-container'];
  const sc = securityContext(spec.securityContext);
  return {
    name: meta.name,
    ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
    containers,
    ...(sc ? { securityContext: sc } : {}),
    ...(typeof def === 'string' ? { defaultContainer: def } : {}),
  };
}
