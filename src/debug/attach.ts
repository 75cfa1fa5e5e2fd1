/**
 * Runs the debug container: writes its bundle (config.json, the hosts and resolv.conf it binds)
 * under `<run root>/debug/bundles/<id>`, runs `runc run` in the foreground — with a terminal, runc
 * puts the caller's terminal in raw mode and relays it — and removes the container and its bundle
 * when the shell ends. runc's own error lines are told apart from the shell's exit status.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { constants as osConstants, release } from 'node:os';
import { join } from 'node:path';
import { dockerDefaultSeccomp, hostArch, runcName, runRoot, seccompFor } from '../run/index.ts';
import { debugBundleConfig, type IdMapping, ROOT_CAPABILITIES } from './bundle.ts';
import { permittedCapabilities } from './capabilities.ts';
import { DebugError } from './errors.ts';
import { targetFile } from './target-file.ts';
import type { DebugTarget } from './target-types.ts';

export interface AttachOptions {
  env?: NodeJS.ProcessEnv;
  runc?: string;
  /** The busybox tree. */
  rootfs: string;
  args: readonly string[];
  /** Give the shell a terminal (runc relays the caller's). */
  terminal: boolean;
  root: boolean;
}

/** Where debug sessions keep runc's state and their bundles (apart from distill run's containers). */
export function debugRoots(env: NodeJS.ProcessEnv = process.env): { runc: string; bundles: string } {
  const base = join(runRoot(env), 'debug');
  return { runc: join(base, 'runc'), bundles: join(base, 'bundles') };
}

function mappings(text: string): IdMapping[] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every(Number.isSafeInteger))
    .map(([containerID, hostID, size]) => ({ containerID, hostID, size }) as IdMapping);
}

/** The target's user namespace when it is not ours (a rootless container): join it, mapped as it is. */
function userNamespace(pid: number): { uidMappings: IdMapping[]; gidMappings: IdMapping[] } | undefined {
  try {
    if (readlinkSync(`/proc/${pid}/ns/user`) === readlinkSync('/proc/self/ns/user')) return undefined;
    return {
      uidMappings: mappings(readFileSync(`/proc/${pid}/uid_map`, 'utf8')),
      gidMappings: mappings(readFileSync(`/proc/${pid}/gid_map`, 'utf8')),
    };
  } catch {
    return undefined;
  }
}

/** Writes the bundle: the hosts and resolv.conf it binds, and config.json. DEBUG_ATTACH_FAILED when it cannot. */
async function writeBundle(
  bundle: string,
  target: DebugTarget,
  o: AttachOptions,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  try {
    await mkdir(bundle, { recursive: true, mode: 0o700 });
    const hosts = join(bundle, 'hosts');
    const resolvConf = join(bundle, 'resolv.conf');
    await writeFile(
      hosts,
      (await targetFile(target.pid, '/etc/hosts')) ??
        '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
    );
    await writeFile(resolvConf, (await targetFile(target.pid, '/etc/resolv.conf')) ?? '');
    const userns = userNamespace(target.pid);
    const targetCapabilities = permittedCapabilities(target.pid);
    const config = debugBundleConfig({
      target,
      rootfs: o.rootfs,
      args: o.args,
      terminal: o.terminal,
      root: o.root,
      targetCapabilities,
      seccomp: seccompFor(dockerDefaultSeccomp(), {
        arch: hostArch(),
        kernel: release(),
        caps: o.root ? ROOT_CAPABILITIES : targetCapabilities,
      }),
      hosts,
      resolvConf,
      ...(env.TERM ? { term: env.TERM } : {}),
      ...(userns ? { userns } : {}),
    });
    await writeFile(join(bundle, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  } catch (e) {
    throw new DebugError(
      'DEBUG_ATTACH_FAILED',
      `cannot write the debug bundle ${bundle}: ${(e as Error).message} (set DISTILL_RUN_ROOT to a writable directory)`,
      { cause: e },
    );
  }
}

/**
 * Attaches to `target` and resolves to the shell's (or command's) exit status.
 * DEBUG_RUNC_NOT_FOUND without runc; DEBUG_ATTACH_FAILED when runc could not start the container.
 */
export async function attach(target: DebugTarget, o: AttachOptions): Promise<number> {
  const env = o.env ?? process.env;
  const roots = debugRoots(env);
  const id = `debug-${target.id.slice(0, 12).replace(/[^\w.-]/g, '_')}-${randomBytes(4).toString('hex')}`;
  const bundle = join(roots.bundles, id);
  const runc = runcName(o.runc, env);
  try {
    await writeBundle(bundle, target, o, env);
    return await runForeground(runc, ['--root', roots.runc, 'run', '--bundle', bundle, id], env);
  } finally {
    await new Promise<void>((r) => {
      const p = spawn(runc, ['--root', roots.runc, 'delete', '--force', id], { stdio: 'ignore' });
      p.on('error', () => r());
      p.on('close', () => r());
    });
    // Never in place of the error that brought us here (a bundle path under a file, say).
    await rm(bundle, { recursive: true, force: true }).catch(() => {});
  }
}

// runc's own failures, as logrus prints them (text or with a terminal), before the process starts.
const RUNC_ERROR = /^(?:time="[^"]*" level=error msg="(.*)"|ERRO\[\d+\] (.*))$/;

/**
 * `runc run` with the caller's stdin and stdout; its stderr is relayed line by line, except runc's
 * own error lines, which become the DEBUG_ATTACH_FAILED message. Signals the CLI would stop on are left to runc, which forwards them to the shell.
 */
function runForeground(runc: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const held = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => {
      const before = process.listeners(sig);
      process.removeAllListeners(sig);
      const forward = () => {
        if (sig !== 'SIGINT') child.kill(sig);
      };
      process.on(sig, forward);
      return () => {
        process.removeListener(sig, forward);
        for (const l of before) process.on(sig, l as () => void);
      };
    });
    const restore = () => {
      for (const r of held) r();
    };
    const child = spawn(runc, args, { stdio: ['inherit', 'inherit', 'pipe'], env });
    const runcErrors: string[] = [];
    let pending = '';
    const relay = (line: string) => {
      const m = RUNC_ERROR.exec(line);
      if (m) runcErrors.push((m[1] ?? m[2] ?? '').replace(/\\"/g, '"'));
      else process.stderr.write(`${line}\n`);
    };
    child.stderr?.on('data', (b: Buffer) => {
      const lines = (pending + b.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) relay(l);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      restore();
      reject(
        e.code === 'ENOENT'
          ? new DebugError('DEBUG_RUNC_NOT_FOUND', `${runc} is not installed (Debian package runc)`, {
              cause: e,
            })
          : new DebugError('DEBUG_ATTACH_FAILED', `${runc}: ${e.message}`, { cause: e }),
      );
    });
    child.on('close', (code, signal) => {
      restore();
      if (pending) relay(pending);
      if (code !== 0 && runcErrors.length > 0)
        return reject(
          new DebugError(
            'DEBUG_ATTACH_FAILED',
            `runc could not start the debug shell: ${runcErrors.join('; ')} (distill debug needs root, or the rights to join the target's namespaces)`,
          ),
        );
      for (const e of runcErrors) process.stderr.write(`runc: ${e}\n`);
      resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0));
    });
  });
}
