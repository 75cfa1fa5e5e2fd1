/**
 * The Go detector: go.mod, built the way ko builds — `CGO_ENABLED=0 GOOS=linux GOARCH=<arch>
 * go build -trimpath` — with the host's Go, so the result is a static binary for the image's
 * architecture on the `static` base. The binary goes to /app/<name> (not ko's /ko-app: one
 * application directory for every kind of project, and the workdir is /app as for the others).
 */

import { createHash } from 'node:crypto';
import { access, constants, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, posix } from 'node:path';
import { readElf } from '../../../elf/index.ts';
import { spawnProcess as nodeSpawn } from '../../../platform/index.ts';
import { AppError } from '../../errors.ts';
import { dirChain } from '../../layout.ts';
import { commonPlan } from '../../plan-common.ts';
import type { AppConfig, AppPlan, DetectContext, Detector } from '../../types.ts';
import { baseForElf } from '../native/detect.ts';

export type { SpawnFn } from '../../../platform/index.ts';

import type { SpawnFn } from '../../../platform/index.ts';

/** The `go` program on PATH, or undefined. */
export async function findOnPath(cmd: string, path: string | undefined): Promise<string | undefined> {
  for (const d of (path ?? '').split(delimiter).filter(Boolean)) {
    const p = join(d, cmd);
    if (
      await access(p, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return p;
  }
  return undefined;
}

/** GOARCH for an OCI architecture (the same names, except arm's variant). */
const GOARCH: Record<string, string> = {
  amd64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  '386': '386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** Makes the detector; `spawn` runs go (a fake `go` on PATH in tests works too). */
export function goDetectorWith(options: { spawn?: SpawnFn } = {}): Detector {
  return {
    name: 'go',
    looksFor: "go.mod (Go, built with the host's go)",
    detect: (d, c, x) => detectGo(d, c, x, options.spawn ?? nodeSpawn),
  };
}

export const goDetector: Detector = goDetectorWith();

async function detectGo(
  dir: string,
  config: AppConfig,
  ctx: DetectContext,
  spawn: SpawnFn,
): Promise<AppPlan | undefined> {
  const mod = await readFile(join(dir, 'go.mod'), 'utf8').catch(() => undefined);
  if (mod === undefined) return undefined;
  const module = /^module\s+(\S+)/m.exec(mod)?.[1]?.replace(/^"|"$/g, '') ?? posix.basename(dir);
  const reasons = [`Go module ${module} (go.mod)`];
  const go = await findOnPath('go', ctx.env.PATH);
  if (!go)
    throw new AppError(
      'APP_GO_MISSING',
      `go.mod found but there is no go on PATH: install Go (https://go.dev/dl or Debian's golang-go), or build a static binary yourself (CGO_ENABLED=0 go build) and run distill build on a directory holding it`,
    );
  if (ctx.archs.length > 1)
    throw new AppError(
      'APP_GO_BUILD_FAILED',
      `several architectures (${ctx.archs.join(', ')}): build them one at a time with --arch`,
    );
  const arch = ctx.archs[0] ?? 'amd64';
  const goarch = GOARCH[arch];
  if (!goarch) throw new AppError('APP_GO_BUILD_FAILED', `no GOARCH for ${arch}`);
  const main = config.main ?? '.';
  const name = posix
    .basename(main === '.' ? module : main.replace(/\/+$/, ''))
    .replace(/[^A-Za-z0-9._-]/g, '_');
  const out = await mkdtemp(join(tmpdir(), 'distill-go-'));
  const bin = join(out, name);
  process.once('exit', () => {
    void rm(out, { recursive: true, force: true });
  });
  const env = {
    ...ctx.env,
    CGO_ENABLED: '0',
    GOOS: 'linux',
    GOARCH: goarch,
    ...(arch === 'arm' ? { GOARM: '7' } : {}),
  };
  const args = ['build', '-trimpath', '-o', bin, main];
  reasons.push(
    `built with ${go}: CGO_ENABLED=0 GOOS=linux GOARCH=${goarch} go ${args.join(' ').replace(bin, `<tmp>/${name}`)} (as ko does)`,
  );
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(go, args, {
      cwd: dir,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', (e) => done({ code: -1, stderr: e.message }));
    child.on('close', (c) => done({ code: c, stderr: err }));
  });
  const st = await stat(bin).catch(() => undefined);
  if (code !== 0 || !st?.isFile())
    throw new AppError(
      'APP_GO_BUILD_FAILED',
      `go build failed (exit ${code}): ${stderr.trim().split('\n').slice(-5).join(' / ') || 'no output'}`,
    );
  const bytes = await readFile(bin);
  const elf = await readElf(bytes);
  const choice = baseForElf(elf);
  reasons.push(config.base ? `base ${config.base} from the config` : choice.reason);
  const { appDir, writable, owner: user, fields } = commonPlan(config, ctx);
  const program = posix.join(appDir, name);
  reasons.push(`binary at ${program}: the same application directory as every other kind of project`);
  const digest = createHash('sha256').update(bytes).digest('hex');
  return {
    kind: 'go',
    reasons,
    base: config.base ?? choice.base,
    entrypoint: [program],
    env: {},
    ...fields,
    layers: [
      {
        name: 'app',
        entries: async () => [
          ...dirChain(appDir, writable, user),
          // ko's mode for the binary: read and execute for everyone, writable by nobody.
          {
            path: program.slice(1),
            type: 'file',
            mode: 0o555,
            uid: 0,
            gid: 0,
            size: bytes.length,
            content: () => bytes,
          },
        ],
        key: { kind: 'go-app', program, sha256: digest, writable, user },
      },
    ],
    elfFiles: [{ path: program, source: `go build ${main}`, read: async () => bytes }],
  };
}
