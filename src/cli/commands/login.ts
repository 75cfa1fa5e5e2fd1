/** `distill login HOST`: checks the credentials with the registry, then stores them as `docker login` does. */
import type { Command } from 'commander';
import { nodeKeychainEnv, parseReference, saveLogin, verifyLogin } from '../../registry/index.ts';
import { consoleOutput } from '../console-output.ts';
import { UsageError } from '../errors.ts';
import { addRegistryFlags, type RegistryFlags, registryOptions } from '../registry-flags.ts';

interface Flags extends RegistryFlags {
  json?: boolean;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function register(program: Command): void {
  addRegistryFlags(
    program
      .command('login <host>')
      .description(
        'log in to a registry: writes $DOCKER_CONFIG/config.json (or ~/.docker/config.json) as docker login does',
      )
      .requiredOption('-u, --username <user>', 'user name')
      .option(
        '-p, --password <password>',
        'password (visible to other users of this machine; prefer --password-stdin)',
      )
      .option('--password-stdin', 'read the password from standard input')
      .option('--json', 'print the result as JSON'),
  ).action(async (host: string, o: Flags) => {
    const out = consoleOutput(Boolean(o.json));
    if (o.password !== undefined && o.passwordStdin)
      throw new UsageError('give -p or --password-stdin, not both');
    if (o.password === undefined && !o.passwordStdin)
      throw new UsageError('give the password with --password-stdin (or -p)');
    const password = o.passwordStdin ? await readStdin() : (o.password as string);
    if (!password) throw new UsageError('the password is empty');
    // `docker.io`, `https://host/v1/` and `host:port` all name a registry here.
    const registry = parseReference(`${host.replace(/^https?:\/\//, '').replace(/\/.*$/, '')}/x`).registry;
    const username = o.username as string;
    await verifyLogin(registry, { ...registryOptions(o, out.warn), username, password });
    const stored = await saveLogin(nodeKeychainEnv(), registry, username, password);
    out.result({ registry, username, stored });
    out.info(`Login Succeeded (${registry}; credentials stored in ${stored})`);
  });
}
