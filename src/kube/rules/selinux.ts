/**
 * Baseline "SELinux": no custom SELinux user or role, and the type (pod and containers) is unset
 * or one of the container types the standard lists.
 */
import type { Path } from '../documents.ts';
import { type Rec, rec } from '../pod-specs.ts';
import { podSc, podScPath, type Rule, sc, scPath, show, type Violation, where } from './types.ts';

export const SELINUX_TYPES = new Set([
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

const blank = (v: unknown) => v === undefined || v === null || v === '';

function check(opts: Rec, path: Path, who: string, container?: string): Violation[] {
  const out: Violation[] = [];
  const extra = container !== undefined ? { container } : {};
  if (!blank(opts.type) && !SELINUX_TYPES.has(opts.type as string))
    out.push({ path: [...path, 'type'], message: `${who} sets SELinux type ${show(opts.type)}`, ...extra });
  for (const f of ['user', 'role'])
    if (!blank(opts[f]))
      out.push({ path: [...path, f], message: `${who} sets SELinux ${f} ${show(opts[f])}`, ...extra });
  return out;
}

export const seLinux: Rule = {
  id: 'pss-baseline-selinux',
  name: 'SELinux',
  level: 'baseline',
  summary: `seLinuxOptions.type unset, "" or ${[...SELINUX_TYPES].join(', ')}; seLinuxOptions.user and .role unset or ""`,
  check(pod) {
    const out = check(rec(podSc(pod).seLinuxOptions), podScPath(pod, 'seLinuxOptions'), 'the pod');
    for (const c of pod.containers)
      out.push(...check(rec(sc(c).seLinuxOptions), scPath(c, 'seLinuxOptions'), where(c), c.name));
    return out;
  },
};
