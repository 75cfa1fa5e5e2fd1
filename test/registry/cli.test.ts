/**
 * `distill login`, `push`, `pull` and `inspect docker://` as a user runs them, against the real
 * registry with htpasswd auth; credentials go through a temporary DOCKER_CONFIG.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeDockerArchive } from '../../src/oci/archive/index.ts';
import { validate } from '../../src/oci/index.ts';
import { readLayout, writeLayout } from '../../src/oci/layout/index.ts';
import { distill } from '../helpers/cli.ts';
import { REPO_ROOT, requireTool, runOk, tempDir } from '../helpers/tools.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { smallImage, twoPlatformIndex } from './fixtures.ts';
import { startRegistry } from './registry-server.ts';

/** Runs the CLI without blocking this process (whose event loop serves the fault proxy). */
function distillAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'distill.js'), ...args],
      { env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('distill login / push / pull / inspect docker://', () => {
  it('logs in, pushes a layout and an archive, pulls one platform, inspects; wrong passwords fail clearly', async (t) => {
    if (
      !requireTool(t, 'docker-registry', 'docker-registry') ||
      !requireTool(t, 'htpasswd', 'apache2-utils') ||
      !requireTool(t, 'skopeo', 'skopeo')
    )
      return;
    const dir = await tempDir(t);
    const htpasswd = join(dir, 'htpasswd');
    await writeFile(htpasswd, runOk('htpasswd', ['-Bbn', 'ci', 'pa55word']));
    const reg = await startRegistry(t, { type: 'htpasswd', file: htpasswd });
    const env = { DOCKER_CONFIG: join(dir, 'docker'), HOME: dir };
    const cfg = join(dir, 'docker', 'config.json');

    const usage = distill(['login', reg.host, '-u', 'ci'], env);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /CLI_USAGE: give the password with --password-stdin/);
    const both = distill(['login', reg.host, '-u', 'ci', '-p', 'x', '--password-stdin'], env, 'x');
    assert.equal(both.status, 2);
    const bad = distill(['login', reg.host, '-u', 'ci', '--password-stdin'], env, 'nope\n');
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, /^distill: error REGISTRY_AUTH_FAILED: .*user name and password/m);
    await assert.rejects(stat(cfg), { code: 'ENOENT' }, 'a failed login writes nothing');

    const idx = await twoPlatformIndex(dir);
    await writeLayout(join(dir, 'layout'), [{ artifact: idx, tag: 'v1' }]);
    const anon = distill(['push', `oci:${join(dir, 'layout')}:v1`, `${reg.host}/cli/app:v1`], env);
    assert.equal(anon.status, 1);
    assert.match(anon.stderr, /REGISTRY_AUTH_REQUIRED: .*distill login/);

    const login = distill(['login', reg.host, '-u', 'ci', '--password-stdin', '--json'], env, 'pa55word\n');
    assert.equal(login.status, 0, login.stderr);
    assert.deepEqual(JSON.parse(login.stdout), { registry: reg.host, username: 'ci', stored: cfg });
    const config = JSON.parse(await readFile(cfg, 'utf8'));
    assert.deepEqual(config.auths[reg.host], { auth: Buffer.from('ci:pa55word').toString('base64') });

    const push = distill(
      ['push', `oci:${join(dir, 'layout')}:v1`, `docker://${reg.host}/cli/app:v1`, '--json'],
      env,
    );
    assert.equal(push.status, 0, push.stderr);
    const pr = JSON.parse(push.stdout);
    assert.equal(pr.digest, idx.descriptor.digest);
    assert.equal(pr.reference, `${reg.host}/cli/app:v1@${idx.descriptor.digest}`);
    const text = distill(['push', `oci:${join(dir, 'layout')}:v1`, `${reg.host}/cli/app:v1`], env);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`${idx.descriptor.digest}`));
    assert.match(text.stdout, /0 blobs uploaded/);

    // skopeo, with the same credentials file, sees the same digest.
    const raw = spawnSync(
      'skopeo',
      ['inspect', '--raw', '--tls-verify=false', '--authfile', cfg, `docker://${reg.host}/cli/app:v1`],
      { timeout: 60_000 },
    );
    assert.equal(raw.status, 0, String(raw.stderr));
    assert.deepEqual(raw.stdout, idx.rawManifest);

    // Registry to registry within one host: every blob is mounted, nothing uploaded.
    const copy = distill(
      ['push', `docker://${reg.host}/cli/app:v1`, `${reg.host}/cli/copy:v1`, '--json'],
      env,
    );
    assert.equal(copy.status, 0, copy.stderr);
    const cr = JSON.parse(copy.stdout);
    assert.equal(cr.digest, idx.descriptor.digest);
    assert.deepEqual(cr.blobs, { existing: 0, mounted: 5, uploaded: 0, uploadedBytes: 0 });

    const img = await smallImage(dir);
    await writeDockerArchive(join(dir, 'img.tar'), [{ artifact: img, tags: ['app:1'] }]);
    const fromArchive = distill(
      ['push', `docker-archive:${join(dir, 'img.tar')}`, `${reg.host}/cli/single:1`, '--json'],
      env,
    );
    assert.equal(fromArchive.status, 0, fromArchive.stderr);
    const digest = JSON.parse(fromArchive.stdout).digest as string;
    const skopeoDigest = JSON.parse(
      runOk('skopeo', [
        'inspect',
        '--tls-verify=false',
        '--authfile',
        cfg,
        `docker://${reg.host}/cli/single:1`,
      ]),
    ).Digest;
    assert.equal(skopeoDigest, digest);

    const out = join(dir, 'pulled');
    const pull = distill(
      ['pull', `${reg.host}/cli/app:v1`, '--output', out, '--platform', 'linux/arm64', '--json'],
      env,
    );
    assert.equal(pull.status, 0, pull.stderr);
    const pl = JSON.parse(pull.stdout);
    assert.equal(pl.digest, idx.children[1]?.descriptor.digest);
    const back = await readLayout(out, 'v1');
    assert.equal(back.descriptor.digest, idx.children[1]?.descriptor.digest);
    await validate(back, { deep: true });

    const missing = distill(
      ['pull', `${reg.host}/cli/app:v1`, '--output', join(dir, 'p2'), '--platform', 'linux/s390x'],
      env,
    );
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /REGISTRY_PLATFORM_NOT_FOUND: .*linux\/amd64, linux\/arm64\/v8/);
    await assert.rejects(stat(join(dir, 'p2')), { code: 'ENOENT' }, 'nothing written');

    const insp = distill(['inspect', `docker://${reg.host}/cli/app:v1`, '--json', '--no-measure'], env);
    assert.equal(insp.status, 0, insp.stderr);
    assert.equal(JSON.parse(insp.stdout).digest, idx.descriptor.digest);
    const bare = distill(['inspect', `${reg.host}/cli/single:1`, '--json'], env);
    assert.equal(bare.status, 0, bare.stderr);
    assert.equal(JSON.parse(bare.stdout).digest, digest);
  });

  it('push through a registry that fails every request exits 1 with a clear error, and leaves no tag', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry')) return;
    const dir = await tempDir(t);
    const reg = await startRegistry(t);
    const proxy = await startFaultProxy(t, reg.host);
    proxy.plan = (req) => (req.url === '/v2/' ? undefined : { kind: 'status', status: 503 });
    const img = await smallImage(dir);
    await writeLayout(join(dir, 'layout'), [{ artifact: img, tag: 'v1' }]);
    const started = Date.now();
    const r = await distillAsync(['push', `oci:${join(dir, 'layout')}:v1`, `${proxy.host}/cli/down:1`], {
      DOCKER_CONFIG: dir,
    });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^distill: error REGISTRY_UNAVAILABLE: HEAD blob sha256:\w+ in cli\/down: HTTP 503 after 3 attempts/m,
    );
    assert.match(r.stderr, /retrying in 1\.0 s/);
    assert.ok(Date.now() - started < 15_000, 'bounded: 1 s + 3 s of backoff');
    assert.equal(proxy.count('PUT'), 0);
    // A registry that corrupts a layer: pull fails on the digest and writes no layout.
    proxy.plan = undefined;
    const ok = await distillAsync(['push', `oci:${join(dir, 'layout')}:v1`, `${proxy.host}/cli/bad:1`], {
      DOCKER_CONFIG: dir,
    });
    assert.equal(ok.status, 0, ok.stderr);
    const layer = img.layers[1]?.descriptor.digest as string;
    proxy.plan = (req) =>
      req.method === 'GET' && req.url?.endsWith(layer)
        ? {
            kind: 'rewrite',
            fn: (b) => Buffer.concat([b.subarray(0, 20), Buffer.from([(b[20] ?? 0) ^ 1]), b.subarray(21)]),
          }
        : undefined;
    const out = join(dir, 'pulled');
    const bad = await distillAsync(['pull', `${proxy.host}/cli/bad:1`, '--output', out], {
      DOCKER_CONFIG: dir,
    });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^distill: error REGISTRY_DIGEST_MISMATCH: blob sha256:/m);
    await assert.rejects(stat(out), { code: 'ENOENT' }, 'no layout written');
    proxy.plan = undefined;
    const inspect = await distillAsync(['inspect', `docker://${proxy.host}/cli/down:1`], {
      DOCKER_CONFIG: dir,
    });
    assert.equal(inspect.status, 1);
    assert.match(inspect.stderr, /REGISTRY_NOT_FOUND/);
  });
});
