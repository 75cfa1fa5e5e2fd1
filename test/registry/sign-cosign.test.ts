/**
 * Signing and attestations against the real peers: cosign 2.5 and the CNCF registry (distribution
 * 2.8, no referrers API: the `.sig`/`.att` tags). cosign verifies what distill signed and attested
 * (SPDX, SLSA v1 and v0.2) with a key distill generated; distill verifies what cosign signed with
 * a key cosign generated, and each uses the other's keys; tampered signatures and attestations fail
 * both; a wrong password fails before anything is pushed. The OCI 1.1 referrers path is checked
 * with `cosign verify --experimental-oci11` against distill's test registry served over HTTP, and
 * `cosign save`-style layouts with `cosign verify --local-image`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { writeLayout } from '../../src/oci/layout/index.ts';
import { nodeRegistryOptions } from '../../src/registry/index.ts';
import { FakeRegistry } from '../../src/registry/testing/fake-registry.ts';
import { DSSE_MEDIA_TYPE, registryStore, SIGNATURE_ANNOTATION } from '../../src/sign/index.ts';
import { distill, needTools } from '../helpers/cli.ts';
import { distillAsync, runAsync } from '../helpers/docker.ts';
import { REPO_ROOT, requireTool, run, tempDir } from '../helpers/tools.ts';
import { smallImage, twoPlatformIndex } from './fixtures.ts';
import { freePort, startRegistry } from './registry-server.ts';

const PW = { COSIGN_PASSWORD: 'correct horse' };
/** What cosign 2.5 needs for a registry on loopback http and no transparency log. */
const VERIFY = ['--insecure-ignore-tlog=true', '--allow-http-registry'];
const SIGN = ['--tlog-upload=false', '--allow-http-registry', '-y'];

function cosign(args: string[], env: Record<string, string> = {}, cwd?: string) {
  return run('cosign', args, { env: { ...process.env, ...env }, ...(cwd ? { cwd } : {}) });
}

const needPeers = (t: TestContext) => needTools(t, ['cosign', 'docker-registry']);

/** An image pushed to `host/repo:v1` by `distill push`; returns its digest. */
async function pushed(dir: string, host: string, repo: string, extra: string[] = [], env = {}) {
  const img = await smallImage(dir);
  const layout = join(dir, `layout-${repo.replace(/\W/g, '-')}`);
  await writeLayout(layout, [{ artifact: img, tag: 'v1' }]);
  const r = distill(['push', `oci:${layout}:v1`, `${host}/${repo}:v1`, '--json', ...extra], {
    ...PW,
    ...env,
  });
  return { r, digest: img.descriptor.digest, layout };
}

/** The in-toto statement of the first attestation cosign verify-attestation printed. */
function statementOf(stdout: string): { predicateType: string; predicate: Record<string, unknown> } {
  const env = JSON.parse(stdout.trim().split('\n')[0] as string);
  return JSON.parse(Buffer.from(env.payload, 'base64').toString());
}

/** A minimal distill.lock of an app on an image-reference base, with one extra .deb. */
function appLock(): object {
  return {
    lockVersion: 1,
    kind: 'app',
    configChecksum: `sha256:${'1'.repeat(64)}`,
    inputs: { base: 'oci:base', debian: 13, architectures: ['amd64'], packages: ['libsqlite3-0'] },
    architectures: {
      amd64: {
        roots: ['libsqlite3-0'],
        added: [],
        packages: [
          {
            name: 'libsqlite3-0',
            version: '3.46.1-7',
            architecture: 'amd64',
            sha256: 'a'.repeat(64),
            filename: 'pool/main/s/sqlite3/libsqlite3-0_3.46.1-7_amd64.deb',
            size: 1,
            suite: 'trixie',
            component: 'main',
            archive: 'main',
            why: ['libsqlite3-0'],
          },
        ],
        baseDigest: `sha256:${'b'.repeat(64)}`,
      },
    },
  };
}

describe('cosign 2.5 and distill sign, attest and verify each other', () => {
  it('cosign verifies what distill pushed with --sign --attest and attested with SLSA provenance, with a key distill generated', async (t) => {
    if (!needPeers(t)) return;
    const dir = await tempDir(t);
    const reg = await startRegistry(t);
    const gen = distill(['generate-key-pair', '--output-key-prefix', join(dir, 'k'), '--json'], PW);
    assert.equal(gen.status, 0, gen.stderr);
    const keyText = await readFile(join(dir, 'k.key'), 'utf8');
    const again = distill(['generate-key-pair', '--output-key-prefix', join(dir, 'k')], PW);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /SIGN_KEY_EXISTS/);
    assert.equal(await readFile(join(dir, 'k.key'), 'utf8'), keyText, 'the existing key is kept');
    const nowhere = distill(['generate-key-pair', '--output-key-prefix', join(dir, 'no', 'such', 'k')], PW);
    assert.equal(nowhere.status, 1);
    assert.match(nowhere.stderr, /SIGN_KEY_WRITE_FAILED/);
    const key = join(dir, 'k.key');
    const pub = join(dir, 'k.pub');

    const { r, digest } = await pushed(dir, reg.host, 'app', ['--sign', '--attest', '--key', key]);
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(res.signed[0].signature.location, `${reg.host}/app:sha256-${digest.slice(7)}.sig`);
    assert.equal(res.signed[0].attestations[0].predicateType, 'https://spdx.dev/Document');

    const v = cosign(['verify', '--key', pub, ...VERIFY, `${reg.host}/app@${digest}`]);
    assert.equal(v.status, 0, v.stderr);
    const payload = JSON.parse(v.stdout)[0];
    assert.equal(payload.critical.image['docker-manifest-digest'], digest);
    assert.equal(payload.critical.identity['docker-reference'], `${reg.host}/app`);
    const va = cosign([
      'verify-attestation',
      '--key',
      pub,
      ...VERIFY,
      '--type',
      'spdxjson',
      `${reg.host}/app:v1`,
    ]);
    assert.equal(va.status, 0, va.stderr);
    const spdx = statementOf(va.stdout);
    assert.equal(spdx.predicate.spdxVersion, 'SPDX-2.3');

    // SLSA provenance from a lock: v1 (cosign --type slsaprovenance1) and v0.2 (--type slsaprovenance).
    const lockFile = join(dir, 'distill.lock');
    await writeFile(lockFile, JSON.stringify(appLock(), null, 2));
    const lockSha = createHash('sha256')
      .update(await readFile(lockFile))
      .digest('hex');
    for (const type of ['slsaprovenance1', 'slsaprovenance']) {
      const a = distill(
        ['attest', `${reg.host}/app:v1`, '--key', key, '--type', type, '--lock', lockFile, '--json'],
        PW,
      );
      assert.equal(a.status, 0, a.stderr);
      assert.equal(JSON.parse(a.stdout).attestation.added, 1);
      // The same inputs give the same statement: the same key has signed it already.
      const a2 = distill(
        ['attest', `${reg.host}/app:v1`, '--key', key, '--type', type, '--lock', lockFile, '--json'],
        PW,
      );
      assert.equal(JSON.parse(a2.stdout).attestation.added, 0, 'a second statement would differ');
      const c = cosign([
        'verify-attestation',
        '--key',
        pub,
        ...VERIFY,
        '--type',
        type,
        `${reg.host}/app@${digest}`,
      ]);
      assert.equal(c.status, 0, c.stderr);
      const st = statementOf(c.stdout);
      const deps = JSON.stringify(st.predicate);
      assert.ok(deps.includes(lockSha), 'the lock digest is an input');
      assert.ok(deps.includes('pkg:deb/debian/libsqlite3-0@3.46.1-7?arch=amd64'));
      assert.ok(deps.includes('a'.repeat(64)), "the .deb's sha256");
    }
    const dv = distill([
      'verify',
      `${reg.host}/app:v1`,
      '--key',
      pub,
      '--type',
      'spdxjson',
      '--type',
      'slsaprovenance1',
    ]);
    assert.equal(dv.status, 0, dv.stderr);
  });

  it('distill verifies what cosign signed and attested; each signs with the other`s keys', async (t) => {
    if (!needPeers(t)) return;
    const dir = await tempDir(t);
    const reg = await startRegistry(t);
    const g = cosign(['generate-key-pair'], PW, dir);
    assert.equal(g.status, 0, g.stderr);
    const { r, digest } = await pushed(dir, reg.host, 'cosigned');
    assert.equal(r.status, 0, r.stderr);
    const none = distill(['verify', `${reg.host}/cosigned:v1`, '--key', join(dir, 'cosign.pub')]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /SIGN_NOT_FOUND/);
    const s = cosign(
      ['sign', '--key', join(dir, 'cosign.key'), ...SIGN, `${reg.host}/cosigned@${digest}`],
      PW,
    );
    assert.equal(s.status, 0, s.stderr);
    const v = distill(['verify', `${reg.host}/cosigned:v1`, '--key', join(dir, 'cosign.pub'), '--json']);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(JSON.parse(v.stdout).signatures[0].critical.image['docker-manifest-digest'], digest);
    await writeFile(join(dir, 'p.json'), JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'from-cosign' }));
    const at = cosign(
      [
        'attest',
        '--key',
        join(dir, 'cosign.key'),
        ...SIGN,
        '--type',
        'spdxjson',
        '--predicate',
        join(dir, 'p.json'),
        `${reg.host}/cosigned@${digest}`,
      ],
      PW,
    );
    assert.equal(at.status, 0, at.stderr);
    const va = distill([
      'verify',
      `${reg.host}/cosigned:v1`,
      '--key',
      join(dir, 'cosign.pub'),
      '--type',
      'spdxjson',
      '--json',
    ]);
    assert.equal(va.status, 0, va.stderr);
    assert.equal(JSON.parse(va.stdout).attestations[0].predicate.name, 'from-cosign');

    // distill signs with cosign's key (appending to cosign's signature manifest); cosign checks it.
    const gen = distill(['generate-key-pair', '--output-key-prefix', join(dir, 'd')], PW);
    assert.equal(gen.status, 0, gen.stderr);
    const ds = distill(['sign', `${reg.host}/cosigned:v1`, '--key', join(dir, 'd.key'), '--json'], PW);
    assert.equal(ds.status, 0, ds.stderr);
    assert.equal(JSON.parse(ds.stdout).signature.layers, 2, "appended to cosign's signature");
    for (const k of ['cosign', 'd']) {
      const c = cosign([
        'verify',
        '--key',
        join(dir, `${k}.pub`),
        ...VERIFY,
        `${reg.host}/cosigned@${digest}`,
      ]);
      assert.equal(c.status, 0, `${k}: ${c.stderr}`);
    }
    // cosign signs with distill's key; another image, so the signature is new.
    const other = await pushed(dir, reg.host, 'cosigned2');
    const cs = cosign(
      ['sign', '--key', join(dir, 'd.key'), ...SIGN, `${reg.host}/cosigned2@${other.digest}`],
      PW,
    );
    assert.equal(cs.status, 0, cs.stderr);
    assert.equal(distill(['verify', `${reg.host}/cosigned2:v1`, '--key', join(dir, 'd.pub')]).status, 0);
    // distill with cosign's key on a fresh image: cosign verifies it.
    const third = await pushed(dir, reg.host, 'cosigned3');
    assert.equal(
      distill(['sign', `${reg.host}/cosigned3:v1`, '--key', join(dir, 'cosign.key')], PW).status,
      0,
    );
    const c3 = cosign([
      'verify',
      '--key',
      join(dir, 'cosign.pub'),
      ...VERIFY,
      `${reg.host}/cosigned3@${third.digest}`,
    ]);
    assert.equal(c3.status, 0, c3.stderr);
  });

  it('tampered signatures and attestations fail both tools; a wrong password fails before anything is pushed', async (t) => {
    if (!needPeers(t)) return;
    const dir = await tempDir(t);
    const reg = await startRegistry(t);
    assert.equal(cosign(['generate-key-pair'], PW, dir).status, 0);
    const key = join(dir, 'cosign.key');
    const pub = join(dir, 'cosign.pub');
    const a = await pushed(dir, reg.host, 'tampered', ['--sign', '--attest', '--key', key]);
    const b = await pushed(dir, reg.host, 'other', ['--sign', '--key', key]);
    assert.equal(a.r.status, 0, a.r.stderr);
    assert.equal(b.r.status, 0, b.r.stderr);
    const opts = nodeRegistryOptions({ env: {} });
    const sa = await registryStore(`${reg.host}/tampered:v1`, opts);
    const sb = await registryStore(`${reg.host}/other:v1`, opts);

    // 1. The signature annotation replaced by a valid signature of other bytes.
    const good = await sa.read('sig');
    const other = (await sb.read('sig'))[0]?.annotations[SIGNATURE_ANNOTATION] as string;
    await sa.write(
      'sig',
      good.map((l) => ({ ...l, annotations: { ...l.annotations, [SIGNATURE_ANNOTATION]: other } })),
      0,
    );
    const c1 = cosign(['verify', '--key', pub, ...VERIFY, `${reg.host}/tampered@${a.digest}`]);
    assert.notEqual(c1.status, 0, 'cosign rejects a signature that does not match its payload');
    assert.match(c1.stderr, /no matching signatures: invalid signature/);
    const d1 = distill(['verify', `${reg.host}/tampered:v1`, '--key', pub]);
    assert.equal(d1.status, 1);
    assert.match(d1.stderr, /^distill: error SIGN_VERIFY_FAILED: .*does not verify/m);
    // 2. x2's valid signature (payload and signature) stored as x's: it names the other digest.
    await sa.write('sig', await sb.read('sig'), 0);
    const c2 = cosign(['verify', '--key', pub, ...VERIFY, `${reg.host}/tampered@${a.digest}`]);
    assert.notEqual(c2.status, 0, 'cosign rejects a signature of another image');
    assert.match(c2.stderr, /no matching signatures: invalid or missing digest in claim/);
    const d2 = distill(['verify', `${reg.host}/tampered:v1`, '--key', pub]);
    assert.equal(d2.status, 1);
    assert.match(d2.stderr, new RegExp(`SIGN_VERIFY_FAILED: .*signs ${b.digest}`));
    // 3. The attested statement changed after signing.
    const atts = await sa.read('att');
    const tampered = atts.map((l) => {
      if (l.mediaType !== DSSE_MEDIA_TYPE) return l;
      const env = JSON.parse(l.payload.toString());
      const st = JSON.parse(Buffer.from(env.payload, 'base64').toString());
      st.predicate.name = 'evil';
      env.payload = Buffer.from(JSON.stringify(st)).toString('base64');
      return { ...l, payload: Buffer.from(JSON.stringify(env)) };
    });
    await sa.write('att', tampered, 0);
    const c3 = cosign([
      'verify-attestation',
      '--key',
      pub,
      ...VERIFY,
      '--type',
      'spdxjson',
      `${reg.host}/tampered@${a.digest}`,
    ]);
    assert.notEqual(c3.status, 0, 'cosign rejects a changed statement');
    assert.match(c3.stderr, /no matching attestations/);
    const d3 = distill(['verify', `${reg.host}/tampered:v1`, '--key', pub, '--type', 'spdxjson']);
    assert.equal(d3.status, 1);
    assert.match(d3.stderr, /SIGN_VERIFY_FAILED/);

    // A wrong password: a coded error, and neither the image nor a signature is pushed.
    const wrong = await pushed(dir, reg.host, 'never', ['--sign', '--key', key], {
      COSIGN_PASSWORD: 'wrong',
    });
    assert.equal(wrong.r.status, 1);
    assert.match(wrong.r.stderr, /^distill: error SIGN_KEY_PASSWORD_WRONG: .*COSIGN_PASSWORD/m);
    const tags = await fetch(`http://${reg.host}/v2/never/tags/list`);
    assert.equal(tags.status, 404, 'the repository was never created');
    const ws = distill(['sign', `${reg.host}/other:v1`, '--key', key], { COSIGN_PASSWORD: 'wrong' });
    assert.equal(ws.status, 1);
    assert.match(ws.stderr, /SIGN_KEY_PASSWORD_WRONG/);
    const env = { ...process.env };
    delete env.COSIGN_PASSWORD;
    const missing = run(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'distill.js'), 'sign', `${reg.host}/other:v1`, '--key', key],
      {
        env,
      },
    );
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /SIGN_KEY_PASSWORD_MISSING/);
    // Other bad input: nothing is written.
    await writeFile(join(dir, 'bad.json'), '{not json');
    const badPred = distill(
      [
        'attest',
        `${reg.host}/other:v1`,
        '--key',
        key,
        '--type',
        'spdxjson',
        '--predicate',
        join(dir, 'bad.json'),
      ],
      PW,
    );
    assert.equal(badPred.status, 1);
    assert.match(badPred.stderr, /SIGN_PREDICATE_INVALID/);
    const otherTags = (await (await fetch(`http://${reg.host}/v2/other/tags/list`)).json()) as {
      tags: string[];
    };
    assert.ok(!otherTags.tags.some((x) => x.endsWith('.att')), 'no attestation was pushed');
    const badType = distill(['attest', `${reg.host}/other:v1`, '--key', key, '--type', 'slsa'], PW);
    assert.match(badType.stderr, /SIGN_PREDICATE_INVALID: unknown predicate type "slsa"/);
    const noLock = distill(['attest', `${reg.host}/other:v1`, '--key', key, '--type', 'slsaprovenance1'], PW);
    assert.equal(noLock.status, 2);
    assert.match(noLock.stderr, /CLI_USAGE: --type slsaprovenance1 needs --lock FILE/);
    const archive = distill(['sign', `docker-archive:${join(dir, 'x.tar')}`, '--key', key], PW);
    assert.equal(archive.status, 1);
    assert.match(archive.stderr, /SIGN_TARGET_UNSUPPORTED/);
    const usage = distill(['push', `oci:${b.layout}:v1`, `${reg.host}/unsigned:v1`, '--sign']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /CLI_USAGE: --sign and --attest need --key/);
  });

  it('OCI layouts as cosign save writes them: cosign verify --local-image accepts distill`s signatures and attestations', async (t) => {
    if (!needPeers(t)) return;
    const dir = await tempDir(t);
    assert.equal(distill(['generate-key-pair', '--output-key-prefix', join(dir, 'k')], PW).status, 0);
    const img = await smallImage(dir);
    const layout = join(dir, 'app');
    await writeLayout(layout, [{ artifact: img, tag: 'latest' }]);
    assert.equal(distill(['sign', `oci:${layout}`, '--key', join(dir, 'k.key')], PW).status, 0);
    const at = distill(['attest', `oci:${layout}`, '--key', join(dir, 'k.key'), '--type', 'spdxjson'], PW);
    assert.equal(at.status, 0, at.stderr);
    const v = cosign([
      'verify',
      '--key',
      join(dir, 'k.pub'),
      '--insecure-ignore-tlog=true',
      '--local-image',
      layout,
    ]);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(JSON.parse(v.stdout)[0].critical.image['docker-manifest-digest'], img.descriptor.digest);
    const va = cosign([
      'verify-attestation',
      '--key',
      join(dir, 'k.pub'),
      '--insecure-ignore-tlog=true',
      '--type',
      'spdxjson',
      '--local-image',
      layout,
    ]);
    assert.equal(va.status, 0, va.stderr);
    // The layout still reads as one image without a tag, for distill and for skopeo-style names.
    const i = distill(['inspect', `oci:${layout}`, '--json']);
    assert.equal(i.status, 0, i.stderr);
    assert.equal(distill(['verify', `oci:${layout}`, '--key', join(dir, 'k.pub')]).status, 0);
  });
});

/** Serves a FakeRegistry over HTTP on loopback, so child processes (cosign, the CLI) can reach it. */
async function serveFake(t: TestContext): Promise<FakeRegistry> {
  const port = await freePort();
  const reg = new FakeRegistry(`127.0.0.1:${port}`);
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const body = Buffer.concat(parts);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    try {
      const answer = await reg.fetch(`${reg.origin}${req.url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length && req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}),
      });
      const out = Buffer.from(await answer.arrayBuffer());
      const h: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        h[k] = v;
      });
      res.writeHead(answer.status, h);
      res.end(req.method === 'HEAD' ? undefined : out);
    } catch (e) {
      res.writeHead(500);
      res.end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return reg;
}

describe('distill sign --recursive', () => {
  it("signs an index and each platform's image; cosign verifies every digest; a layout is refused before the key is opened", async (t) => {
    if (!needPeers(t)) return;
    const dir = await tempDir(t);
    const reg = await startRegistry(t);
    const index = await twoPlatformIndex(dir);
    const layout = join(dir, 'multi');
    await writeLayout(layout, [{ artifact: index, tag: 'v1' }]);
    const p = distill(['push', `oci:${layout}:v1`, `${reg.host}/multi:v1`]);
    assert.equal(p.status, 0, p.stderr);
    const gen = distill(['generate-key-pair', '--output-key-prefix', join(dir, 'k')], PW);
    assert.equal(gen.status, 0, gen.stderr);
    const s = distill(
      ['sign', `${reg.host}/multi:v1`, '--key', join(dir, 'k.key'), '--recursive', '--json'],
      PW,
    );
    assert.equal(s.status, 0, s.stderr);
    const res = JSON.parse(s.stdout) as { digest: string; children: { platform: string; digest: string }[] };
    const children = index.children.map((c) => c.descriptor.digest);
    assert.equal(res.digest, index.descriptor.digest);
    assert.deepEqual(
      res.children.map((c) => [c.platform, c.digest]),
      [
        ['linux/amd64', children[0]],
        ['linux/arm64/v8', children[1]],
      ],
    );
    for (const d of [index.descriptor.digest, ...children]) {
      const v = cosign(['verify', '--key', join(dir, 'k.pub'), ...VERIFY, `${reg.host}/multi@${d}`]);
      assert.equal(v.status, 0, `${d}: ${v.stderr}`);
      const payload = JSON.parse(v.stdout)[0];
      assert.equal(payload.critical.image['docker-manifest-digest'], d);
      assert.equal(payload.critical.identity['docker-reference'], `${reg.host}/multi`);
    }
    // Without --recursive only the index is signed (cosign's default too).
    const plain = await twoPlatformIndex(dir);
    await writeLayout(join(dir, 'plain'), [{ artifact: plain, tag: 'v1' }]);
    assert.equal(distill(['push', `oci:${join(dir, 'plain')}:v1`, `${reg.host}/plain:v1`]).status, 0);
    assert.equal(distill(['sign', `${reg.host}/plain:v1`, '--key', join(dir, 'k.key')], PW).status, 0);
    const child = plain.children[0]?.descriptor.digest as string;
    const unsigned = cosign(['verify', '--key', join(dir, 'k.pub'), ...VERIFY, `${reg.host}/plain@${child}`]);
    assert.notEqual(unsigned.status, 0);
    // A layout: a usage error, before any password is asked for, and the layout unchanged.
    const before = await readFile(join(layout, 'index.json'), 'utf8');
    const bad = distill(['sign', `oci:${layout}:v1`, '--key', join(dir, 'k.key'), '--recursive'], {
      COSIGN_PASSWORD: 'wrong',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /error CLI_USAGE: --recursive signs the images of an index in a registry/);
    assert.equal(await readFile(join(layout, 'index.json'), 'utf8'), before);
  });
});

describe('OCI 1.1 referrers (a registry that answers the referrers API)', () => {
  it('distill sign pushes a referrer that cosign verify --experimental-oci11 finds', async (t) => {
    if (!requireTool(t, 'cosign', 'cosign')) return;
    const dir = await tempDir(t);
    const reg = await serveFake(t);
    reg.referrersApi = true;
    const cli = (args: string[]) => distillAsync(args, PW);
    assert.equal((await cli(['generate-key-pair', '--output-key-prefix', join(dir, 'k')])).status, 0);
    const img = await smallImage(dir);
    await writeLayout(join(dir, 'l'), [{ artifact: img, tag: 'v1' }]);
    const p = await cli([
      'push',
      `oci:${join(dir, 'l')}:v1`,
      `${reg.host}/ref:v1`,
      '--sign',
      '--key',
      join(dir, 'k.key'),
      '--json',
    ]);
    assert.equal(p.status, 0, p.stderr);
    const referrer = JSON.parse(p.stdout).signed[0].signature.referrer as string;
    assert.ok(referrer, 'a referrer was pushed');
    // Only the referrer: the tag gone, cosign must find the signature through the referrers API.
    reg.repo('ref').tags.delete(`sha256-${img.descriptor.digest.slice(7)}.sig`);
    const v = await runAsync('cosign', [
      'verify',
      '--key',
      join(dir, 'k.pub'),
      ...VERIFY,
      '--experimental-oci11',
      `${reg.host}/ref@${img.descriptor.digest}`,
    ]);
    assert.equal(v.status, 0, v.stderr);
    assert.ok(reg.count('GET', '/referrers/') > 0);
    const plain = await runAsync('cosign', [
      'verify',
      '--key',
      join(dir, 'k.pub'),
      ...VERIFY,
      `${reg.host}/ref@${img.descriptor.digest}`,
    ]);
    assert.notEqual(plain.status, 0, 'without the tag, cosign without --experimental-oci11 finds nothing');
    assert.match(plain.stderr, /no signatures found/);
    const dv = await cli(['verify', `${reg.host}/ref:v1`, '--key', join(dir, 'k.pub')]);
    assert.equal(dv.status, 0, dv.stderr);
  });
});
