/** The registry flags shared by push, pull, login and every command with --push. */
import type { Command } from 'commander';
import { describeEvent, nodeRegistryOptions, type RegistryClientOptions } from '../registry/index.ts';
import { collect } from './options.ts';

export interface RegistryFlags {
  insecureRegistry?: string[];
  /** --quiet: no per-blob progress lines (uploaded, exists, mounted, retrying). */
  quiet?: boolean;
}

/** Adds --insecure-registry (repeatable). */
export function addRegistryFlags(cmd: Command): Command {
  return cmd.option(
    '--insecure-registry <host>',
    'allow plain http to HOST[:PORT] (loopback and localhost always may); repeatable; also $DISTILL_INSECURE_REGISTRIES',
    collect,
  );
}

/** The client options for the real machine: docker's credentials, the insecure hosts asked for. */
export function registryOptions(
  f: RegistryFlags,
  warn: (line: string) => void,
  env: Record<string, string | undefined> = process.env,
): RegistryClientOptions {
  return {
    ...nodeRegistryOptions({ insecureRegistries: f.insecureRegistry ?? [], env }),
    onEvent: (e) => {
      const line = describeEvent(e);
      if (line && !f.quiet) warn(line);
    },
  };
}
