/** Client options for tests against a FakeRegistry: its fetch, and sleeps recorded instead of waited. */
import type { RegistryClientOptions } from '../client.ts';
import type { FakeRegistry } from './fake-registry.ts';

export function fakeOptions(
  reg: FakeRegistry,
  extra: RegistryClientOptions = {},
): RegistryClientOptions & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { fetch: reg.fetch, sleep: async (ms) => void sleeps.push(ms), sleeps, ...extra };
}
