/** Baseline "Host Namespaces": no sharing of the host's network, PID or IPC namespace. */
import type { Rule, Violation } from './types.ts';

export const hostNamespaces: Rule = {
  id: 'pss-baseline-host-namespaces',
  name: 'Host Namespaces',
  level: 'baseline',
  summary: 'hostNetwork, hostPID and hostIPC must be unset or false',
  check(pod) {
    const out: Violation[] = [];
    for (const f of ['hostNetwork', 'hostPID', 'hostIPC'])
      if (pod.spec[f] === true) out.push({ path: [...pod.specPath, f], message: `the pod sets ${f}: true` });
    return out;
  },
};
