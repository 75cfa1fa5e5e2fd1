/**
 * Which scheme a registry is spoken to with. https always, except loopback and `localhost`
 * (plain http first, as docker and go-containerregistry do for them) and hosts the user named
 * with --insecure-registry (https tried first, http if https cannot connect).
 */
import { isIP } from 'node:net';

/** Host without port (and without IPv6 brackets). */
export function hostOnly(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i >= 0 ? hostPort.slice(0, i) : hostPort;
}

/** Whether a host (with or without port) is this machine: localhost, *.localhost, 127.0.0.0/8, ::1. */
export function isLoopback(hostPort: string): boolean {
  const h = hostOnly(hostPort).toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/** Whether `hostPort` is listed as insecure (by host:port, or by host for any port). */
export function isInsecure(hostPort: string, insecure: readonly string[] = []): boolean {
  const hp = hostPort.toLowerCase();
  return insecure.some((i) => {
    const x = i
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
    return x === hp || x === hostOnly(hp);
  });
}

/** The schemes to try for a registry host, in order. */
export function schemesFor(hostPort: string, insecure: readonly string[] = []): ('https' | 'http')[] {
  if (isLoopback(hostPort)) return ['http', 'https'];
  if (isInsecure(hostPort, insecure)) return ['https', 'http'];
  return ['https'];
}

/** Whether plain http to `hostPort` is allowed. */
export function httpAllowed(hostPort: string, insecure: readonly string[] = []): boolean {
  return isLoopback(hostPort) || isInsecure(hostPort, insecure);
}

/** Whether a host is loopback, link-local or in a private range (RFC 1918, fc00::/7). */
export function isPrivateAddress(hostPort: string): boolean {
  if (isLoopback(hostPort)) return true;
  const h = hostOnly(hostPort).toLowerCase();
  if (isIP(h) === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return (
      a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)
    );
  }
  return isIP(h) === 6 && (/^f[cd]/.test(h) || h.startsWith('fe80:'));
}
