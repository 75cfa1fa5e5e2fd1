/**
 * Registries that fail or lie: an endpoint answering 200 with HTML to everything (push and login
 * must fail, and login must save nothing), a PUT answered 201 with nothing stored, a ping whose
 * first answers are 503 then 429 on loopback http (retried there, not moved to https), and the
 * fault proxy whose first answer on every new connection is a 503, a 429 or a reset in turn —
 * push and pull still succeed against the real registry, with the digest checked there directly.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { validate } from '../../src/oci/index.ts';
import { REGISTRY_RETRY } from '../../src/platform/index.ts';
import { isRegistryError, pullArtifact, pushArtifact } from '../../src/registry/index.ts';
import { REPO_ROOT, requireTool, tempDir } from '../helpers/tools.ts';
import { type Fault, startFaultProxy } from './fault-proxy.ts';
import { diskImage, diskLayer, smallImage } from './fixtures.ts';
import { startRegistry } from './registry-server.ts';

const fast = { policy: { ...REGISTRY_RETRY, backoff: [50, 150] }, idleTimeoutMs: 2000 };

/** A web server that answers every request 200 with an HTML page. */
async function htmlEverywhere(t: TestContext): Promise<{ host: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>Welcome to nginx!</body></html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const a = server.address();
  return { host: `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, requests };
}

function distillAsync(args: string[], env: Record<string, string>, input?: string) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'distill.js'), ...args],
      { env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

const code = (c: string) => (e: unknown) => isRegistryError(e) && e.code === c;

describe('registries that lie or fail', () => {
  it('an endpoint answering 200 with HTML to everything: push fails, login fails and saves nothing', async (t) => {
    const web = await htmlEverywhere(t);
    await assert.rejects(
      pushArtifact(await smallImage(await tempDir(t)), `${web.host}/app:1`, fast),
      code('REGISTRY_NOT_A_REGISTRY'),
    );
    assert.ok(!web.requests.some((r) => r.startsWith('PUT') || r.startsWith('POST')), 'nothing was uploaded');

    const home = await tempDir(t);
    const config = join(home, 'config.json');
    await writeFile(config, '{"auths":{}}\n');
    const r = await distillAsync(
      ['login', web.host, '-u', 'me', '--password-stdin'],
      { DOCKER_CONFIG: home },
      'pw\n',
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /error REGISTRY_NOT_A_REGISTRY: .*not an OCI registry/);
    assert.doesNotMatch(r.stdout + r.stderr, /Succeeded/);
    assert.equal(await readFile(config, 'utf8'), '{"auths":{}}\n', 'no credentials saved');
  });

  it('a manifest PUT answered 201 without a digest but not stored is not a success', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry')) return;
    const reg = await startRegistry(t);
    const proxy = await startFaultProxy(t, reg.host);
    proxy.plan = (req) =>
      req.method === 'PUT' && req.url?.includes('/manifests/')
        ? { kind: 'status', status: 201, body: '' }
        : undefined;
    await assert.rejects(
      pushArtifact(await smallImage(await tempDir(t)), `${proxy.host}/lie/app:1`, fast),
      (e: unknown) => {
        assert.ok(isRegistryError(e));
        assert.equal(e.code, 'REGISTRY_PROTOCOL');
        assert.match(e.message, /nothing was stored/);
        return true;
      },
    );
  });

  it('a ping whose first answers are 503, then 429 (Retry-After), is retried on http and the push succeeds', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry')) return;
    const reg = await startRegistry(t);
    const proxy = await startFaultProxy(t, reg.host);
    let pings = 0;
    proxy.plan = (req) => {
      if (req.url !== '/v2/') return undefined;
      pings++;
      if (pings === 1) return { kind: 'status', status: 503 };
      if (pings === 2) return { kind: 'status', status: 429, headers: { 'retry-after': '0' } };
      return undefined;
    };
    const img = await smallImage(await tempDir(t));
    const r = await pushArtifact(img, `${proxy.host}/ping/app:1`, fast);
    assert.equal(r.digest, img.descriptor.digest);
    assert.equal(pings, 3);
  });

  it('first answer on every new connection a 503, a 429 or a reset: push and pull succeed, digest checked at the registry', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry')) return;
    const reg = await startRegistry(t);
    const proxy = await startFaultProxy(t, reg.host);
    const faults: Fault[] = [
      { kind: 'status', status: 503 },
      { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
      { kind: 'reset' },
    ];
    proxy.plan = (_req, _n, conn) => (conn.index === 0 ? faults[conn.id % 3] : undefined);
    const dir = await tempDir(t);
    const img = await diskImage([
      await diskLayer(dir, { 'data.bin': randomBytes(200_000) }),
      await diskLayer(dir, { 'x.txt': 'x' }),
    ]);
    const pushed = await pushArtifact(img, `${proxy.host}/flaky/app:1`, fast);
    assert.equal(pushed.digest, img.descriptor.digest);
    const pulled = await pullArtifact(`${proxy.host}/flaky/app:1`, fast);
    assert.equal(pulled.descriptor.digest, img.descriptor.digest);
    await validate(pulled, { deep: true });
    // Straight at the registry, no proxy: the tag names the digest we pushed.
    const direct = await pullArtifact(`${reg.host}/flaky/app:1`, fast);
    assert.equal(direct.descriptor.digest, img.descriptor.digest);
    // The CLI in a process of its own (new connections, so new faults) pulls it too.
    const before = proxy.records.filter((r) => r.fault).length;
    const out = join(dir, 'pulled');
    const cli = await distillAsync(['pull', `${proxy.host}/flaky/app:1`, '--output', out, '--json'], {});
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).digest, img.descriptor.digest);
    assert.ok(proxy.records.filter((r) => r.fault).length > before, 'the CLI met faults too');
    assert.deepEqual(
      [...new Set(proxy.records.map((r) => r.fault).filter(Boolean))].sort(),
      ['reset', 'status'],
      'every kind of fault was met',
    );
  });
});
