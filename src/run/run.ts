/**
 * `distill run`: an image from any source distill reads, started with runc under the seed's
 * hardened profile. Two steps: `prepareRun` checks the inputs (before anything is opened or
 * written), unpacks the image's chain into the cache once, and writes the bundle; `startRun` runs
 * it in the foreground with runc, forwarding signals, and answers with the container's exit code.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { constants as osConstants, release, userInfo } from 'node:os';
import { join } from 'node:path';
import { type Artifact, imageForPlatform } from '../oci/index.ts';
import { openSource } from '../transports/index.ts';
import { prepareBundle, releaseBundle, writeSpec } from './bundle.ts';
import { RunError } from './errors.ts';
import { checkArch, checkRootless, findRunc, hostArch, subordinateIds } from './host.ts';
import { removeLease, writeLease } from './leases.ts';
import { checkName, parseEnv, parseNetwork, parseVolume } from './options.ts';
import { handlesSignal as handles, stillRunning } from './processes.ts';
import { readSupervisor, writeExit, writeSupervisor } from './records.ts';
import { chainIds, ensureRootfs, rootfsStore } from './rootfs.ts';
import { dockerDefaultSeccomp, seccompFor } from './seccomp.ts';
import { mergeEnv, runtimeSpec, type SpecInput } from './spec.ts';
import { bundleDir, runcRoot } from './state.ts';
import { imageUser, type ProcessUser } from './user.ts';

export interface RunOptions {
  /** An image reference (oci:DIR[:TAG] when it names no transport) or an opened image. */
  image: string | Artifact;
  /** `os/arch[/variant]` of an index (default: this machine's). */
  platform?: string;
  /** Replaces the image's Cmd (the entrypoint stays). */
  args?: string[];
  /** Replaces the image's Entrypoint (and drops its Cmd, as docker run --entrypoint does). */
  entrypoint?: string;
  /** KEY=VALUE (or KEY, taken from this process's environment). */
  env?: string[];
  /** SRC:DST[:ro|rw]. */
  volumes?: string[];
  name?: string;
  /** none (default: own network namespace, loopback only) or host. */
  network?: string;
  /** Allow an image whose user is root (uid 0). */
  allowRoot?: boolean;
  /** Allocate a terminal (-t). */
  tty?: boolean;
  /** Keep stdin open (-i). */
  interactive?: boolean;
  /** Delete the bundle when the container exits. */
  rm?: boolean;
  /** The cache root (where unpacked chains live). */
  cacheRoot: string;
  runc?: string;
  /** The environment runc and the rootless checks see (default process.env). */
  hostEnv?: NodeJS.ProcessEnv;
  /** Progress lines (unpacking). */
  onInfo?: (line: string) => void;
}

/** A container ready to start. */
export interface PreparedRun {
  id: string;
  bundle: string;
  runc: string;
  rootfs: string;
  chainId: string;
  unpackedLayers: number;
  user: ProcessUser;
  rm: boolean;
  tty: boolean;
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  /** The cache's record that this container uses its chains (leases.ts); removed with the bundle. */
  lease?: string;
}

const RUNTIME_DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function refName(image: string | Artifact): string {
  return typeof image === 'string' ? image : image.descriptor.digest;
}

/**
 * A bare reference is an OCI layout directory, as `oci:DIR[:TAG]` (the default transport of run),
 * unless no such directory exists and it names a registry as `docker://` would (`HOST[:PORT]/REPO…`,
 * the host with a dot or a port, or localhost), as Docker reads `docker run HOST/REPO:TAG`.
 */
export function withTransport(ref: string, exists: (path: string) => boolean = existsSync): string {
  if (/^(oci|docker-archive|docker|docker-daemon):/.test(ref)) return ref;
  const host = ref.split('/')[0] ?? '';
  const registryLike =
    ref.includes('/') && (host.includes('.') || host.includes(':') || host === 'localhost');
  const dir = ref.replace(/:[\w][\w.-]*$/, '');
  return registryLike && !exists(ref) && !exists(dir) ? `docker://${ref}` : `oci:${ref}`;
}

/** Whether runc knows a container `id` under distill's root. */
function runcKnows(runc: string, id: string, env: NodeJS.ProcessEnv): boolean {
  return spawnSync(runc, ['--root', runcRoot(env), 'state', id], { env, stdio: 'ignore' }).status === 0;
}

/** Checks the inputs, unpacks the image (once) and writes the bundle. Nothing runs yet. */
export async function prepareRun(o: RunOptions): Promise<PreparedRun> {
  const env = o.hostEnv ?? process.env;
  // Inputs first: a bad flag writes nothing.
  const volumes = (o.volumes ?? []).map((v) => parseVolume(v));
  const extraEnv = (o.env ?? []).map((e) => parseEnv(e, env));
  const network = parseNetwork(o.network);
  const id = checkName(o.name ?? `distill-${randomBytes(6).toString('hex')}`);
  for (const v of volumes) {
    const st = await stat(v.source).catch(() => undefined);
    if (!st)
      throw new RunError(
        'RUN_VOLUME_INVALID',
        `--volume ${v.source}:${v.destination}: ${v.source} does not exist`,
      );
  }
  const runc = findRunc(o.runc, env);
  const rootless = (process.getuid?.() ?? 0) !== 0;
  if (rootless) checkRootless();
  // runc knows it, or a distill process still answers for it (being prepared, not started yet).
  if (runcKnows(runc, id, env) || stillRunning(await readSupervisor(bundleDir(id, env))))
    throw new RunError('RUN_NAME_IN_USE', `a container named ${id} is running (pick another --name)`);

  const name = refName(o.image);
  const artifact = typeof o.image === 'string' ? await openSource(withTransport(o.image)) : o.image;
  const image = imageForPlatform(name, artifact, o.platform);
  const arch = image.config.architecture;
  checkArch(arch, name);

  // The lease comes before the chain is looked for: prune never takes a chain from under us.
  const bundle = bundleDir(id, env);
  const store = rootfsStore(o.cacheRoot);
  const lease = await writeLease(store, bundle, chainIds(image.layers.map((l) => l.diffId)));
  const c = {
    id,
    name,
    image,
    bundle,
    lease: lease.file,
    runc,
    rootless,
    volumes,
    extraEnv,
    network,
    env,
  };
  try {
    return await prepareLeased(o, c);
  } catch (e) {
    await lease.undo();
    throw e;
  }
}

async function prepareLeased(
  o: RunOptions,
  c: {
    id: string;
    name: string;
    image: ReturnType<typeof imageForPlatform>;
    bundle: string;
    lease: string;
    runc: string;
    rootless: boolean;
    volumes: ReturnType<typeof parseVolume>[];
    extraEnv: string[];
    network: ReturnType<typeof parseNetwork>;
    env: NodeJS.ProcessEnv;
  },
): Promise<PreparedRun> {
  const { id, name, image, bundle, lease, runc, rootless, volumes, extraEnv, network, env } = c;
  const unpacked = await ensureRootfs(image, {
    cacheRoot: o.cacheRoot,
    onLayer: (i, n, d) => o.onInfo?.(`unpacking layer ${i + 1}/${n} ${d.slice(0, 19)} into the cache`),
  });
  const cfg = image.config.config ?? {};
  const user = await imageUser(unpacked.path, cfg.User);
  if (user.uid === 0 && !o.allowRoot)
    throw new RunError(
      'RUN_ROOT_REFUSED',
      `${name} runs as root (uid 0${cfg.User ? `, User ${JSON.stringify(cfg.User)}` : ', no User set'}): use its :nonroot variant, ` +
        'set a user in the image, or pass --allow-root',
    );
  const entrypoint = o.entrypoint !== undefined ? [o.entrypoint] : (cfg.Entrypoint ?? []);
  const cmd = o.entrypoint !== undefined ? [] : (cfg.Cmd ?? []);
  const args = [...entrypoint, ...(o.args?.length ? o.args : cmd)];
  if (args.length === 0)
    throw new RunError('RUN_NO_COMMAND', `${name} has no Entrypoint or Cmd: give the command after --`);

  const imageEnv = cfg.Env ?? [];
  const baseEnv = imageEnv.some((e) => e.startsWith('PATH=')) ? [] : [RUNTIME_DEFAULT_PATH];
  const tty = Boolean(o.tty);
  const procEnv = mergeEnv(
    baseEnv,
    [`HOSTNAME=${id}`, `HOME=${user.home || '/'}`],
    imageEnv,
    tty ? ['TERM=xterm'] : [],
    extraEnv,
  );
  await releaseBundle(bundle, true); // a stale bundle of a container that is gone
  // The kernel sees the host's system calls: those of the image's programs when the host runs
  // them natively, qemu's (a host program) when binfmt_misc emulates a foreign architecture.
  const seccomp = seccompFor(dockerDefaultSeccomp(), { arch: hostArch(), kernel: release() });
  // Rootless: the caller is root of the user namespace; the image user exists there only through
  // the caller's subordinate ids. Without them the process runs as that namespace's root (the
  // caller outside, with no capabilities), as rootless runc and podman do.
  let procUser = user;
  let rootlessMap: SpecInput['rootless'];
  if (rootless) {
    const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    const login = userInfo().username;
    const subuid = subordinateIds('/etc/subuid', self.uid, login, env);
    const subgid = subordinateIds('/etc/subgid', self.gid, login, env);
    const fits = subuid && subgid && user.uid <= subuid.count && user.gid <= subgid.count;
    rootlessMap = fits ? { ...self, subuid, subgid } : self;
    if (!fits) {
      procUser = { ...user, uid: 0, gid: 0, additionalGids: [] };
      o.onInfo?.(
        `rootless without subordinate ids for uid ${user.uid} (/etc/subuid, newuidmap): the process runs as root of its user namespace (uid ${self.uid} outside, no capabilities)`,
      );
    }
  }
  try {
    // Recorded before the overlay is mounted: a bundle without a live supervisor is one prune may take.
    await mkdir(bundle, { recursive: true, mode: 0o700 });
    await writeSupervisor(bundle);
    const rootPath = await prepareBundle(bundle, unpacked.path, !rootless);
    const spec = runtimeSpec({
      args,
      env: procEnv,
      cwd: cfg.WorkingDir || '/',
      uid: procUser.uid,
      gid: procUser.gid,
      additionalGids: procUser.additionalGids,
      terminal: tty,
      hostname: id.slice(0, 63),
      rootfs: rootPath,
      tmpfs: Object.keys(cfg.Volumes ?? {}).sort(),
      volumes,
      network,
      seccomp,
      ...(rootlessMap ? { rootless: rootlessMap } : {}),
      annotations: {
        'org.opencontainers.image.ref.name': name,
        'io.distill.image.digest': image.descriptor.digest,
        'io.distill.rootfs.chain': unpacked.chainId,
        ...(o.rm ? { 'io.distill.rm': 'true' } : {}),
      },
    });
    await writeSpec(bundle, spec);
  } catch (e) {
    await releaseBundle(bundle, true);
    throw e;
  }
  return {
    id,
    bundle,
    runc,
    rootfs: unpacked.path,
    chainId: unpacked.chainId,
    unpackedLayers: unpacked.unpackedLayers,
    user: procUser,
    rm: Boolean(o.rm),
    tty,
    interactive: Boolean(o.interactive),
    env,
    lease,
  };
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Runs a prepared container in the foreground (`runc run`) and resolves to its exit code (128+N
 * when a signal N ended it). Signals this process gets are forwarded to the container (Ctrl-C
 * stops it); the bundle is released afterwards (deleted with `rm`).
 */
export async function startRun(p: PreparedRun): Promise<number> {
  const log = join(p.bundle, 'runc.log');
  // From now on this process answers for the container (distill stop waits for it to let go).
  await writeSupervisor(p.bundle).catch(() => {});
  const release = async (remove: boolean) => {
    await releaseBundle(p.bundle, remove);
    if (remove && p.lease) await removeLease(p.lease);
  };
  const argv = [
    '--root',
    runcRoot(p.env),
    '--log',
    log,
    '--log-format',
    'json',
    'run',
    '--bundle',
    p.bundle,
    p.id,
  ];
  // Without a terminal, runc gets its own process group: a Ctrl-C reaches it once, through us.
  // With one, it needs the terminal's foreground group to read it (in raw mode ^C is a byte).
  let child: ChildProcess;
  try {
    child = spawn(p.runc, argv, {
      env: p.env,
      detached: !p.tty,
      stdio: [p.tty ? 'inherit' : p.interactive ? 'pipe' : 'ignore', 'inherit', 'inherit'],
    });
  } catch (e) {
    await release(p.rm);
    throw e;
  }
  if (!p.tty && p.interactive && child.stdin) {
    process.stdin.pipe(child.stdin);
    child.stdin.on('error', () => {});
  }
  // The CLI's own handlers (which exit) step aside while the container runs.
  const saved = FORWARDED.map((s) => [s, process.listeners(s)] as const);
  let killedFor: number | undefined;
  const kill = (sig: NodeJS.Signals) => {
    killedFor = 128 + (osConstants.signals[sig] ?? 0);
    spawnSync(p.runc, ['--root', runcRoot(p.env), 'kill', p.id, 'KILL'], { env: p.env, stdio: 'ignore' });
  };
  const timers = new Set<NodeJS.Timeout>();
  const forward = (sig: NodeJS.Signals) => {
    // The container's init is pid 1 of its namespace: the kernel drops a signal it has no handler
    // for, so such a signal is carried out by SIGKILL instead — what its default action would have
    // done — and reported as that signal. Node.js catches SIGINT/SIGTERM only to reset the handler
    // and raise the signal again (which pid 1 then drops): a handler that is gone shortly after the
    // signal, with the process still there, is treated the same way.
    const init = containerPid(p);
    if (init && !handles(init, sig)) return kill(sig);
    if (child.pid) {
      try {
        process.kill(child.pid, sig);
      } catch {}
    }
    for (const ms of [250, 1000]) {
      const t = setTimeout(() => {
        timers.delete(t);
        const now = containerPid(p);
        if (now && killedFor === undefined && !handles(now, sig)) kill(sig);
      }, ms);
      timers.add(t);
    }
  };
  for (const [s] of saved) {
    process.removeAllListeners(s);
    process.on(s, forward);
  }
  let failed = false;
  let exitCode: number | undefined;
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (c, sig) => resolve(c ?? 128 + (sig ? (osConstants.signals[sig] ?? 0) : 0)));
    });
    if (!p.tty && p.interactive) process.stdin.unpipe(child.stdin ?? undefined);
    const killed = killedFor !== undefined && code === 128 + 9;
    const failure = code !== 0 && !killed ? await runcFailure(log) : undefined;
    if (failure) {
      failed = true;
      throw new RunError('RUN_RUNC_FAILED', `runc could not start the container: ${failure}`);
    }
    exitCode = killed && killedFor !== undefined ? killedFor : code;
    return exitCode;
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const [s, ls] of saved) {
      process.removeAllListeners(s);
      for (const l of ls) process.on(s, l as (...a: unknown[]) => void);
    }
    if (!p.tty && p.interactive) process.stdin.pause();
    // A container that never started leaves nothing behind; a kept one records how it ended.
    if (!(p.rm || failed) && exitCode !== undefined) await writeExit(p.bundle, exitCode).catch(() => {});
    await release(p.rm || failed);
  }
}

/** The container's init as the host sees it (runc state), or undefined before it runs. */
function containerPid(p: PreparedRun): number | undefined {
  const r = spawnSync(p.runc, ['--root', runcRoot(p.env), 'state', p.id], { env: p.env, encoding: 'utf8' });
  try {
    const st = JSON.parse(r.stdout) as { pid?: number; status?: string };
    return st.status === 'running' && st.pid ? st.pid : undefined;
  } catch {
    return undefined;
  }
}

/** runc's own error (not the container's exit status), from its JSON log. */
async function runcFailure(log: string): Promise<string | undefined> {
  const text = await readFile(log, 'utf8').catch(() => '');
  const errors = text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as { level?: string; msg?: string };
      } catch {
        return {};
      }
    })
    .filter((e) => e.level === 'error' || e.level === 'fatal');
  return errors.length ? errors.map((e) => e.msg).join('; ') : undefined;
}

/** Prepares and runs `o` in the foreground; resolves to the container's exit code. */
export async function runImage(
  o: RunOptions,
): Promise<{ id: string; exitCode: number; unpackedLayers: number }> {
  const p = await prepareRun(o);
  const exitCode = await startRun(p);
  return { id: p.id, exitCode, unpackedLayers: p.unpackedLayers };
}

/** Saves a prepared run in its bundle, for a detached supervisor process to start (`loadPrepared`). */
export async function savePrepared(p: PreparedRun): Promise<void> {
  const { env: _env, ...rest } = p;
  await writeFile(join(p.bundle, 'prepared.json'), JSON.stringify(rest), { mode: 0o600 });
}

/** The prepared run of container `id` saved by `savePrepared`. */
export async function loadPrepared(id: string, env: NodeJS.ProcessEnv = process.env): Promise<PreparedRun> {
  const file = join(bundleDir(checkName(id), env), 'prepared.json');
  const text = await readFile(file, 'utf8').catch((e) => {
    throw new RunError('RUN_CONTAINER_NOT_FOUND', `no prepared container ${id} (${file})`, { cause: e });
  });
  return { ...(JSON.parse(text) as Omit<PreparedRun, 'env'>), env };
}
