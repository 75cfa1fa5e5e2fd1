/**
 * The pieces through the real layer writer: the tar GNU tar lists has distroless's attributes,
 * and a root made of them (trixie amd64: root files, CA bundle, Java trust store, busybox) runs
 * under the Docker engine — `docker import` of the layer, then /busybox/sh as the nonroot user.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { realPackage } from '../../test/fixtures/assemble/debian-packages.ts';
import { requireDocker, requireTool, runOk, tempDir } from '../../test/helpers/tools.ts';
import { writeLayer } from '../oci/tar/layer-writer.ts';
import { busyboxLayer } from './busybox.ts';
import { caBundle } from './ca-bundle.ts';
import { javaKeystoreEntries } from './java-keystore.ts';
import { rootFiles } from './root-files.ts';

describe('assembly pieces in a real layer', () => {
  it('trixie amd64: GNU tar sees distroless attributes, and the root runs /busybox/sh under Docker', async (t) => {
    if (!requireTool(t, 'tar', 'tar')) return;
    const ca = await realPackage(t, 13, 'amd64', 'ca-certificates');
    const bb = ca && (await realPackage(t, 13, 'amd64', 'busybox-static'));
    if (!ca || !bb) return;
    const dir = await tempDir(t);
    const bundle = await caBundle(ca.entries);
    const busybox = await busyboxLayer(bb.entries, 'amd64');
    const entries = [
      ...rootFiles(13),
      ...bundle.entries,
      ...javaKeystoreEntries(bundle.bundle),
      ...busybox.entries,
    ];
    const layer = await writeLayer(entries, { dir, mtime: 0, compression: 'gzip' });
    // Reproducible: the pieces rebuilt from the same packages give the same layer digest.
    const again = [
      ...rootFiles(13),
      ...(await caBundle(ca.entries)).entries,
      ...javaKeystoreEntries((await caBundle(ca.entries)).bundle),
      ...(await busyboxLayer(bb.entries, 'amd64')).entries,
    ];
    const layer2 = await writeLayer(again, { dir: join(dir, 'again'), mtime: 0, compression: 'gzip' });
    assert.equal(layer2.descriptor.digest, layer.descriptor.digest);
    const listing = runOk('tar', ['-tvzf', layer.path, '--numeric-owner'], {
      env: { ...process.env, TZ: 'UTC' },
    });
    const line = (p: string) =>
      listing.split('\n').find((l) => l.endsWith(` ${p}`) || l.includes(` ${p} -> `)) ?? '';
    assert.match(line('etc/passwd'), /^-rw-r--r-- 0\/0 +\d+ 1970-01-01 00:00 /);
    assert.match(line('etc/nsswitch.conf'), /^-rw-r--r-- 0\/0 +497 2017-12-31 12:12 /);
    assert.match(line('tmp/'), /^drwxrwxrwt 0\/0 /);
    assert.match(line('home/nonroot/'), /^drwx------ 65532\/65532 /);
    assert.match(line('root/'), /^drwx------ 0\/0 /);
    assert.match(line('usr/lib/os-release'), /^-r-xr-xr-x 0\/0 /);
    assert.match(line('etc/ssl/certs/ca-certificates.crt'), /^-r-xr-xr-x 0\/0 /);
    assert.match(line('etc/ssl/certs/java/cacerts'), /^-r-xr-xr-x 0\/0 /);
    assert.match(line('busybox/sh'), /^l\S+ 0\/0 .* busybox\/sh -> \/busybox\/busybox$/);
    assert.match(line('busybox/busybox'), /^-rwxr-xr-x 0\/0 /);
    assert.equal(line('bin/sh'), '');

    if (!requireDocker(t)) return;
    const tag = `distill-test/assemble-pieces:${layer.descriptor.digest.slice(7, 19)}`;
    runOk('docker', ['import', layer.path, tag]);
    t.after(() => runOk('docker', ['rmi', '-f', tag]));
    const out = runOk('docker', [
      'run',
      '--rm',
      '--network=none',
      '--user',
      '65532:65532',
      '--workdir',
      '/home/nonroot',
      '--env',
      'PATH=/busybox',
      tag,
      '/busybox/sh',
      '-c',
      'id; whoami; pwd; touch x && echo home-writable; touch /tmp/y && echo tmp-writable; ' +
        'grep -c "BEGIN CERTIFICATE" /etc/ssl/certs/ca-certificates.crt; . /usr/lib/os-release; echo "$PRETTY_NAME $VERSION_ID"; ' +
        'test -e /bin/sh || echo no-bin-sh',
    ]);
    const lines = out.trim().split('\n');
    assert.match(lines[0] ?? '', /^uid=65532\(nonroot\) gid=65532\(nonroot\)/);
    assert.deepEqual(lines.slice(1), [
      'nonroot',
      '/home/nonroot',
      'home-writable',
      'tmp-writable',
      String(bundle.certificates),
      'Distroless 13',
      'no-bin-sh',
    ]);
    // The layer reads back as a gzip stream of the size the writer reported.
    let n = 0;
    for await (const c of createReadStream(layer.path)) n += (c as Buffer).length;
    assert.equal(n, layer.descriptor.size);
    t.diagnostic(`${layer.entries} entries, ${layer.descriptor.size} bytes gzip ${layer.descriptor.digest}`);
  });
});
