/**
 * Capability sets of a process as /proc/PID/status shows them (CapPrm: a hex mask), as the names
 * an OCI runtime config takes. The debug shell of a non-root target gets exactly the target's
 * permitted set: the kernel lets it read the target's /proc/PID/root only when its capabilities
 * include the target's, and it must never have more than the target already has.
 */
import { readFileSync } from 'node:fs';

/** Linux capability numbers (include/uapi/linux/capability.h), index = bit. */
const NAMES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
] as const;

/** `CAP_*` names of the bits set in a hex mask (bits this table does not name are left out). */
export function capabilityNames(hexMask: string): string[] {
  const mask = BigInt(`0x${hexMask.trim() || '0'}`);
  return NAMES.filter((_, bit) => (mask >> BigInt(bit)) & 1n).map((n) => `CAP_${n}`);
}

/** The permitted capabilities of process `pid` (CapPrm of /proc/PID/status); [] when unreadable. */
export function permittedCapabilities(pid: number): string[] {
  try {
    const m = /^CapPrm:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? capabilityNames(m[1] as string) : [];
  } catch {
    return [];
  }
}
