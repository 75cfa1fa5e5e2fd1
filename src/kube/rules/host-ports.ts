/** Baseline "Host Ports": no container port is bound on the node. */
import { arr, rec } from '../pod-specs.ts';
import { type Rule, show, type Violation, where } from './types.ts';

export const hostPorts: Rule = {
  id: 'pss-baseline-host-ports',
  name: 'Host Ports',
  level: 'baseline',
  summary: 'ports[*].hostPort must be unset or 0',
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers)
      arr(c.value.ports).forEach((p, i) => {
        const hostPort = rec(p).hostPort;
        if (hostPort !== undefined && hostPort !== null && hostPort !== 0)
          out.push({
            path: [...c.path, 'ports', i, 'hostPort'],
            message: `${where(c)} binds hostPort ${show(hostPort)}`,
            container: c.name,
          });
      });
    return out;
  },
};
