/** Baseline "Sysctls": only the namespaced, safe sysctls the standard lists (as of v1.32). */
import { arr, rec } from '../pod-specs.ts';
import { podScPath, type Rule, show, type Violation } from './types.ts';

export const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

export const sysctls: Rule = {
  id: 'pss-baseline-sysctls',
  name: 'Sysctls',
  level: 'baseline',
  summary: `securityContext.sysctls only from ${[...SAFE_SYSCTLS].join(', ')}`,
  check(pod) {
    const out: Violation[] = [];
    arr(rec(pod.spec.securityContext).sysctls).forEach((s, i) => {
      const name = rec(s).name;
      if (!SAFE_SYSCTLS.has(name as string))
        out.push({
          path: podScPath(pod, 'sysctls', i, 'name'),
          message: `the pod sets sysctl ${show(name)}, which is not in the safe set`,
        });
    });
    return out;
  },
};
