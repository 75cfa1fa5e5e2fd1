/**
 * Where the pod specs are in an object: a Pod's `spec`, a workload's pod template
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job), a CronJob's job
 * template's, a PodTemplate's; and in each `items` of a List. Each container of `containers`,
 * `initContainers` and `ephemeralContainers` is listed with its path, as Pod Security
 * Admission's visitor walks them.
 */
import type { Path } from './documents.ts';

export type Rec = Record<string, unknown>;

/** `x` when it is a plain object, else an empty one (rules read absent and malformed alike). */
export function rec(x: unknown): Rec {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Rec) : {};
}

/** `x` when it is an array, else an empty one. */
export function arr(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

export const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

export interface ContainerRef {
  list: (typeof CONTAINER_LISTS)[number];
  index: number;
  name: string;
  value: Rec;
  path: Path;
}

export interface PodTarget {
  /** The object's kind and metadata.name (`Deployment`, `web`). */
  kind: string;
  name: string;
  spec: Rec;
  specPath: Path;
  /** The pod's metadata (annotations): the template's for workloads. */
  meta: Rec;
  metaPath: Path;
  containers: ContainerRef[];
  /** `spec.os.name: windows`: the restricted rules Windows pods are exempt from do not apply. */
  windows: boolean;
}

const TEMPLATE: Path = ['spec', 'template'];
/** kind → path of the object holding the pod's `metadata` and `spec`. */
export const POD_HOLDERS: Readonly<Record<string, Path>> = {
  Pod: [],
  PodTemplate: ['template'],
  ReplicationController: TEMPLATE,
  ReplicaSet: TEMPLATE,
  Deployment: TEMPLATE,
  StatefulSet: TEMPLATE,
  DaemonSet: TEMPLATE,
  Job: TEMPLATE,
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

function at(obj: unknown, path: Path): unknown {
  let v = obj;
  for (const k of path) v = rec(v)[k as string];
  return v;
}

/** The pod specs in `obj` (found at `base` in its document); [] for kinds without one. */
export function podTargets(obj: unknown, base: Path = []): PodTarget[] {
  const o = rec(obj);
  const kind = typeof o.kind === 'string' ? o.kind : '';
  if (kind.endsWith('List') && Array.isArray(o.items))
    return o.items.flatMap((item, i) => podTargets(item, [...base, 'items', i]));
  const holder = Object.hasOwn(POD_HOLDERS, kind) ? POD_HOLDERS[kind] : undefined;
  if (!holder) return [];
  const spec = rec(at(o, [...holder, 'spec']));
  const specPath = [...base, ...holder, 'spec'];
  const containers: ContainerRef[] = [];
  for (const list of CONTAINER_LISTS)
    arr(spec[list]).forEach((c, index) => {
      const value = rec(c);
      containers.push({
        list,
        index,
        name: typeof value.name === 'string' ? value.name : `${list}[${index}]`,
        value,
        path: [...specPath, list, index],
      });
    });
  return [
    {
      kind,
      name: String(rec(o.metadata).name ?? ''),
      spec,
      specPath,
      meta: rec(at(o, [...holder, 'metadata'])),
      metaPath: [...base, ...holder, 'metadata'],
      containers,
      windows: rec(spec.os).name === 'windows',
    },
  ];
}
