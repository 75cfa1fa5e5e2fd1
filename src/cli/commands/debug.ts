/**
 * `distill debug TARGET [-- CMD ARGS]`: a busybox shell (or one command) in the namespaces of a
 * running container — one started by `distill run`, or a Docker engine container.
 * `distill debug --kubectl pod/NAME`: the `kubectl debug` command for a pod (printed, or run with --run).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  attach,
  busyboxRootfs,
  findTarget,
  getPod,
  hostDebianArch,
  type KubectlProfile,
  namespaceRestricted,
  parsePod,
  planKubectlDebug,
  runKubectl,
  shellCommand,
} from '../../debug/index.ts';
import { consoleOutput } from '../console-output.ts';
import { ExitStatus, UsageError } from '../errors.ts';

interface Flags {
  root?: boolean;
  debian: string;
  refreshBusybox?: boolean;
  kubectl?: string;
  container?: string;
  namespace?: string;
  podFile?: string;
  copy?: boolean;
  image?: string;
  profile?: string;
  run?: boolean;
  json?: boolean;
}

async function debugContainer(target: string, cmd: string[], o: Flags): Promise<void> {
  if (o.json) throw new UsageError('--json goes with --kubectl (a debug shell writes its own output)');
  for (const k of ['container', 'podFile', 'copy', 'image', 'profile', 'run'] as const)
    if (o[k] !== undefined)
      throw new UsageError(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} goes with --kubectl`);
  if (o.debian !== '12' && o.debian !== '13') throw new UsageError(`--debian ${o.debian}: 12 or 13`);
  const t = await findTarget(target);
  const bb = await busyboxRootfs({
    env: process.env,
    debian: Number(o.debian) as 12 | 13,
    arch: hostDebianArch(),
    refresh: Boolean(o.refreshBusybox),
  });
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (terminal)
    process.stderr.write(
      `distill debug: ${t.kind === 'docker' ? 'docker container' : 'container'} ${t.name}, pid ${t.pid}, as ${o.root ? 'root (SYS_PTRACE, DAC_READ_SEARCH, KILL)' : `uid ${t.uid} gid ${t.gid}`}; busybox ${bb.version}; its files are at /proc/1/root\n`,
    );
  const status = await attach(t, { rootfs: bb.dir, args: cmd, terminal, root: Boolean(o.root) });
  if (status !== 0) throw new ExitStatus(status);
}

async function kubectlDebug(ref: string, o: Flags): Promise<void> {
  const m = /^(?:pods?\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(ref);
  if (!m) throw new UsageError(`--kubectl ${ref}: give pod/NAME`);
  if (o.root)
    throw new UsageError('--root does not go with --kubectl (the profile decides who the debugger runs as)');
  if (o.profile !== undefined && o.profile !== 'general' && o.profile !== 'restricted')
    throw new UsageError(`--profile ${o.profile}: general or restricted`);
  if (!o.podFile && !o.run)
    throw new UsageError(
      '--kubectl needs --pod-file FILE (kubectl get pod NAME -o yaml) or --run (reads the pod with kubectl get)',
    );
  const name = m[1] as string;
  const pod = o.podFile
    ? await parsePod(await readFile(o.podFile, 'utf8'), o.podFile)
    : await getPod(name, o.namespace);
  if (pod.name !== name) throw new UsageError(`--pod-file ${o.podFile} is pod ${pod.name}, not ${name}`);
  const namespace = o.namespace ?? pod.namespace;
  const plan = planKubectlDebug(pod, {
    ...(o.container ? { container: o.container } : {}),
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.image ? { image: o.image } : {}),
    ...(o.profile ? { profile: o.profile as KubectlProfile } : {}),
    namespaceRestricted: o.run ? await namespaceRestricted(namespace) : false,
  });
  const chosen = o.copy ? plan.copy : plan.ephemeral;
  if (o.run) {
    const status = await runKubectl(chosen, plan);
    if (status !== 0) throw new ExitStatus(status);
    return;
  }
  const out = consoleOutput(Boolean(o.json));
  out.result({
    ...plan,
    command: shellCommand(chosen, plan.custom),
    ephemeralCommand: shellCommand(plan.ephemeral, plan.custom),
    copyCommand: shellCommand(plan.copy, plan.custom),
  });
  out.info(shellCommand(chosen, plan.custom));
}

export function register(program: Command): void {
  program
    .command('debug [target] [command...]')
    .description(
      'a busybox shell in a running container (distill run or Docker): its processes, network and files at /proc/1/root; or the kubectl debug command for a pod',
    )
    .option(
      '--root',
      "run the shell as root with SYS_PTRACE, DAC_READ_SEARCH and KILL (default: the target's user, no capabilities)",
    )
    .option('--debian <12|13>', 'Debian release of the busybox', '13')
    .option('--refresh-busybox', 'resolve busybox-static again instead of the cached one')
    .option('--kubectl <pod/NAME>', 'print the kubectl debug command for a pod instead')
    .option(
      '-c, --container <name>',
      "--kubectl: the target container (default: the pod's default, else its first)",
    )
    .option('-n, --namespace <ns>', "--kubectl: the pod's namespace")
    .option('--pod-file <file>', '--kubectl: the pod as kubectl get pod NAME -o yaml (or json) prints it')
    .option(
      '--copy',
      '--kubectl: debug a copy of the pod (--copy-to) for pods that cannot take ephemeral containers',
    )
    .option(
      '--image <ref>',
      "--kubectl: the debug image (default: the container's image with tag debug or debug-nonroot)",
    )
    .option('--profile <general|restricted>', '--kubectl: the kubectl debug profile (default: from the pod)')
    .option('--run', '--kubectl: run the command (reads the pod with kubectl get unless --pod-file)')
    .option('--json', '--kubectl: print the plan as JSON')
    .addHelpText(
      'after',
      `
TARGET is a container name from distill run, or a Docker container id or name; run:NAME or
docker:NAME asks only one of them. After --, a command to run instead of the shell.

Examples:
  distill debug web                         # interactive busybox shell in web's namespaces
  distill debug web -- ps                   # one command, for scripts
  distill debug --kubectl pod/web --pod-file web.yaml
  distill debug --kubectl pod/web -n shop --run --copy`,
    )
    .action(async (target: string | undefined, command: string[], o: Flags) => {
      if (o.kubectl) {
        if (target) throw new UsageError('give either TARGET or --kubectl pod/NAME');
        return kubectlDebug(o.kubectl, o);
      }
      if (!target)
        throw new UsageError(
          'distill debug TARGET (a distill run container, or a Docker container), or --kubectl pod/NAME',
        );
      return debugContainer(target, command, o);
    });
}
