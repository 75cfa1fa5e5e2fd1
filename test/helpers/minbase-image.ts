/**
 * A "full distro" image made on this machine: `mmdebstrap --variant=minbase SUITE` (root mode: the
 * test runs as root; ~20 s with a reachable archive) written as an OCI image layout whose one
 * layer is mmdebstrap's tar as it is (uncompressed), with `Cmd ["bash"]` and no user, as
 * debian:SUITE-slim has. Cached under the distill cache dir, keyed by suite, architecture and
 * date, so repeated runs (and other test files) reuse it; made in a temp dir and renamed, so
 * concurrent tests never see half an image.
 *
 * The mirror is DISTILL_DEBIAN_MIRROR when set, else mmdebstrap's own default.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheRoot } from '../../src/platform/index.ts';

export interface MinbaseOptions {
  suite?: string;
  /** OCI architecture (default amd64). */
  arch?: string;
}

/** What `minbaseImage` could not do, for a test to skip with (undefined when it worked). */
export interface MinbaseResult {
  /** `oci:DIR` of the image. */
  ref?: string;
  /** Why there is none (mmdebstrap missing, archive unreachable, not root). */
  skip?: string;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return `sha256:${h.digest('hex')}`;
}

async function blob(dir: string, body: Buffer): Promise<{ digest: string; size: number }> {
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), body);
  return { digest, size: body.length };
}

/** The minbase image of `suite` (default trixie) as an `oci:` reference, made once a day. */
export async function minbaseImage(o: MinbaseOptions = {}): Promise<MinbaseResult> {
  const suite = o.suite ?? 'trixie';
  const arch = o.arch ?? 'amd64';
  const day = new Date().toISOString().slice(0, 10);
  const root = join(cacheRoot(process.env), 'test-images');
  const dir = join(root, `minbase-${suite}-${arch}-${day}`);
  if (
    await stat(join(dir, 'index.json')).then(
      () => true,
      () => false,
    )
  )
    return { ref: `oci:${dir}` };
  if (spawnSync('mmdebstrap', ['--version']).status !== 0)
    return { skip: 'mmdebstrap is not installed (package mmdebstrap)' };
  if (process.getuid?.() !== 0) return { skip: 'mmdebstrap --mode=root needs root' };
  await mkdir(root, { recursive: true });
  const tmp = await mkdtemp(join(root, '.minbase-'));
  try {
    await mkdir(join(tmp, 'blobs', 'sha256'), { recursive: true });
    const tar = join(tmp, 'rootfs.tar');
    const mirror = process.env.DISTILL_DEBIAN_MIRROR;
    const args = [
      '--variant=minbase',
      '--mode=root',
      `--architectures=${arch}`,
      suite,
      tar,
      ...(mirror ? [mirror] : []),
    ];
    const r = spawnSync('mmdebstrap', args, { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0)
      return { skip: `mmdebstrap ${args.join(' ')} failed: ${(r.stderr ?? '').slice(-600)}` };
    const diffId = await sha256File(tar);
    const size = (await stat(tar)).size;
    await rename(tar, join(tmp, 'blobs', 'sha256', diffId.slice(7)));
    const config = await blob(
      tmp,
      Buffer.from(
        JSON.stringify({
          architecture: arch,
          os: 'linux',
          created: `${day}T00:00:00Z`,
          config: {
            Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
            Cmd: ['bash'],
          },
          rootfs: { type: 'layers', diff_ids: [diffId] },
          history: [{ created: `${day}T00:00:00Z`, created_by: `mmdebstrap --variant=minbase ${suite}` }],
        }),
      ),
    );
    const manifest = await blob(
      tmp,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: diffId, size }],
        }),
      ),
    );
    await writeFile(join(tmp, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(
      join(tmp, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifest,
            platform: { architecture: arch, os: 'linux' },
            annotations: { 'org.opencontainers.image.ref.name': `minbase-${suite}` },
          },
        ],
      }),
    );
    try {
      await rename(tmp, dir);
    } catch {
      // Another test made it first: use theirs.
      await rm(tmp, { recursive: true, force: true });
    }
    return { ref: `oci:${dir}` };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
}
