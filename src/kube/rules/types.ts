/**
 * A lint rule: one control of the Pod Security Standards (named as the standard names it, at the
 * level that introduces it) or of the seed's profile, checked on one pod spec. A violation names
 * the field that breaks it (or, when a required field is missing, where it belongs).
 */
import type { Path } from '../documents.ts';
import { type ContainerRef, type PodTarget, type Rec, rec } from '../pod-specs.ts';

export type Level = 'baseline' | 'restricted' | 'seed';

export interface Violation {
  path: Path;
  message: string;
  /** The container it is about, when it is about one. */
  container?: string;
}

export interface Rule {
  /** Stable id: `pss-baseline-capabilities`, `pss-restricted-seccomp`, `seed-image-digest`. */
  id: string;
  /** The control's name as the standard (or the seed) writes it: `Capabilities`, `/proc Mount Type`. */
  name: string;
  level: Level;
  /** What the control allows, in one line (help text, SARIF). */
  summary: string;
  check(pod: PodTarget): Violation[];
}

/** The pod-level securityContext. */
export const podSc = (pod: PodTarget): Rec => rec(pod.spec.securityContext);
export const podScPath = (pod: PodTarget, ...rest: (string | number)[]): Path => [
  ...pod.specPath,
  'securityContext',
  ...rest,
];

/** A container's securityContext. */
export const sc = (c: ContainerRef): Rec => rec(c.value.securityContext);
export const scPath = (c: ContainerRef, ...rest: (string | number)[]): Path => [
  ...c.path,
  'securityContext',
  ...rest,
];

/** `containers[0] "app"` for messages. */
export const where = (c: ContainerRef): string => `${c.list} "${c.name}"`;

export const show = (v: unknown): string => JSON.stringify(v) ?? 'undefined';
