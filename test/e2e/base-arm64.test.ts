/**
 * Issue 4 acceptance, arm64: `--arch amd64,arm64` gives an OCI index with linux/amd64 and
 * linux/arm64/v8; every ELF file in the arm64 image's layers is aarch64 (layers read with
 * tar-stream, each ELF checked with src/elf readElf); and, when qemu-user-static's binfmt handler
 * for aarch64 is registered, the arm64 python3 image runs in the Docker engine. Needs the Debian
 * archive and the npm registry.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { readElf } from '../../src/elf/index.ts';
import { needTools } from '../helpers/cli.ts';
import { buildBase, dockerLoad, dockerRemove, dockerRunOk } from '../helpers/docker.ts';
import { requireBinfmt } from '../helpers/tools.ts';

let work: Promise<string> | undefined;
const loaded: string[] = [];

async function dir(): Promise<string> {
  work ??= mkdtemp(join(tmpdir(), 'distill-e2e-arm64-'));
  return work;
}

after(async () => {
  dockerRemove(loaded);
  if (work) await rm(await work, { recursive: true, force: true });
});

interface Desc {
  digest: string;
  mediaType: string;
  platform?: { architecture: string; os: string; variant?: string };
}

const blobPath = (layout: string, digest: string) => join(layout, 'blobs', ...digest.split(':'));
const readJson = async (layout: string, digest: string) =>
  JSON.parse(await readFile(blobPath(layout, digest), 'utf8'));

/** Every regular file of a gzip layer that starts with the ELF magic: path → machine name. */
async function elfMachines(layerFile: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const x = extract();
  createReadStream(layerFile).pipe(createGunzip()).pipe(x);
  for await (const entry of x) {
    if (entry.header.type !== 'file') {
      entry.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (body.length >= 4 && body.readUInt32BE(0) === 0x7f454c46) {
      found.set(entry.header.name, (await readElf(body)).machineName);
    }
  }
  return found;
}

/** Builds `ref` for amd64 and arm64 into a layout; returns the layout and the index's manifests. */
async function buildIndex(ref: string) {
  const layout = join(await dir(), ref.replace(':', '-'));
  const r = await buildBase(ref, ['--arch', 'amd64,arm64', '--output', layout]);
  assert.equal(r.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.deepEqual(
    r.platforms.map((p) => p.arch),
    ['amd64', 'arm64'],
  );
  const top = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  assert.equal(top.manifests[0].digest, r.digest);
  const index = await readJson(layout, r.digest);
  return { layout, result: r, manifests: index.manifests as Desc[] };
}

describe('distill base --arch amd64,arm64', { timeout: 900_000 }, () => {
  for (const ref of ['python3:debug', 'nodejs22', 'java21']) {
    test(`${ref}: an index of linux/amd64 and linux/arm64/v8; every arm64 ELF is aarch64`, async () => {
      const { layout, result, manifests } = await buildIndex(ref);
      assert.deepEqual(
        manifests.map((m) => m.platform),
        [
          { architecture: 'amd64', os: 'linux' },
          { architecture: 'arm64', os: 'linux', variant: 'v8' },
        ],
      );
      const [amdDesc, armDesc] = manifests as [Desc, Desc];
      const amd = await readJson(layout, amdDesc.digest);
      const arm = await readJson(layout, armDesc.digest);
      const armConfig = await readJson(layout, arm.config.digest);
      assert.equal(armConfig.architecture, 'arm64');
      assert.equal(armConfig.variant, 'v8');
      // Only the architecture-independent parts could be shared; the root layer (base-files,
      // tzdata, ...) has no ELF files but its status.d names the arch, so no layer is asserted equal.
      assert.equal(arm.layers.length, amd.layers.length);
      let elves = 0;
      for (const l of arm.layers as Desc[]) {
        for (const [path, machine] of await elfMachines(blobPath(layout, l.digest))) {
          assert.equal(machine, 'aarch64', `${ref} arm64 layer ${l.digest}: ${path} is ${machine}`);
          elves++;
        }
      }
      assert.ok(elves > 10, `${ref}: only ${elves} ELF files in the arm64 image`);
      // The amd64 side is x86_64 throughout (the check above can fail).
      const amdRuntime = (amd.layers as Desc[]).at(ref.endsWith(':debug') ? -2 : -1) as Desc;
      const amdMachines = new Set((await elfMachines(blobPath(layout, amdRuntime.digest))).values());
      assert.deepEqual([...amdMachines], ['x86_64']);
      assert.ok(result.platforms[1]?.layers.length === arm.layers.length);
    });
  }

  test('the arm64 python3 image runs under qemu-user-static (binfmt)', async (t) => {
    if (!requireBinfmt(t, 'qemu-aarch64')) return;
    if (!needTools(t, ['docker.io:docker'])) return;
    const archive = join(await dir(), 'python3-arm64.tar');
    const tag = `distill-e2e-arm64-${process.pid}/python3:arm64`;
    await buildBase('python3', ['--arch', 'arm64', '--archive', archive, '--tag', tag]);
    assert.deepEqual(await dockerLoad(archive), [tag]);
    loaded.push(tag);
    const out = dockerRunOk(
      [
        '--platform',
        'linux/arm64',
        tag,
        '-c',
        'import platform, ssl, ctypes.util; print(platform.machine(), ctypes.util.find_library("ssl"), len(ssl.create_default_context().get_ca_certs()) > 100)',
      ],
      300_000,
    );
    assert.equal(out.trim(), 'aarch64 libssl.so.3 True');
  });
});
