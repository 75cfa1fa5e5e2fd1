/**
 * Baseline "Host Probes / Lifecycle Hooks" (v1.34+): probes and lifecycle handlers may not
 * reach another host than the pod's (`httpGet.host`, `tcpSocket.host` unset or "").
 */
import { rec } from '../pod-specs.ts';
import { type Rule, show, type Violation, where } from './types.ts';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;
const HANDLERS = ['httpGet', 'tcpSocket'] as const;

export const hostProbes: Rule = {
  id: 'pss-baseline-host-probes-lifecycle-hooks',
  name: 'Host Probes / Lifecycle Hooks',
  level: 'baseline',
  summary: 'probes and lifecycle hooks: httpGet.host and tcpSocket.host must be unset or ""',
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers) {
      const places: [string[], unknown][] = [
        ...PROBES.map((p): [string[], unknown] => [[p], c.value[p]]),
        ...HOOKS.map((h): [string[], unknown] => [['lifecycle', h], rec(c.value.lifecycle)[h]]),
      ];
      for (const [path, handler] of places)
        for (const kind of HANDLERS) {
          const host = rec(rec(handler)[kind]).host;
          if (host !== undefined && host !== null && host !== '')
            out.push({
              path: [...c.path, ...path, kind, 'host'],
              message: `${where(c)} ${path.join('.')} ${kind} reaches host ${show(host)}`,
              container: c.name,
            });
        }
    }
    return out;
  },
};
