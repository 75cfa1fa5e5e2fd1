/**
 * The trust store checked by the JDK itself: listed by keytool, loaded by the JDK's
 * TrustManagerFactory, and every alias equal to the JDK's own canonical form of the subject
 * (X500Principal.CANONICAL), which is how distroless names its entries.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { haveOpenssl, makeCerts } from '../../test/fixtures/assemble/certs.ts';
import { realPackage } from '../../test/fixtures/assemble/debian-packages.ts';
import { caBundle } from './ca-bundle.ts';
import { javaKeystore, keystoreEntries } from './java-keystore.ts';

// dist/src/assemble/ → the repository root.
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/assemble/', import.meta.url));

function haveJdk(t: { skip(m: string): void }): boolean {
  try {
    execFileSync('javac', ['-version'], { stdio: 'ignore' });
    execFileSync('keytool', ['-help'], { stdio: 'ignore' });
    return true;
  } catch {
    const msg = 'javac/keytool missing (Debian package openjdk-17-jdk-headless)';
    if (process.env.CI === 'true') throw new Error(msg);
    t.skip(msg);
    return false;
  }
}

describe('javaKeystore against the JDK', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'distill-jks-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function trusted(jks: Buffer, name: string): string[] {
    const file = join(dir, `${name}.jks`);
    writeFileSync(file, jks);
    const out = execFileSync(
      'java',
      [`-Djavax.net.ssl.trustStore=${file}`, join(FIXTURES, 'TrustedCount.java')],
      {
        stdio: 'pipe',
      },
    )
      .toString('utf8')
      .trimEnd()
      .split('\n');
    assert.equal(Number(out[0]), out.length - 1);
    return out.slice(1);
  }

  it('names awkward subjects as the JDK does, and writes the same bytes twice', (t) => {
    if (!haveJdk(t)) return;
    if (!haveOpenssl()) {
      if (process.env.CI === 'true') throw new Error('openssl missing (Debian package openssl)');
      return t.skip('openssl missing (Debian package openssl)');
    }
    const bundle = Buffer.from(makeCerts().join(''));
    const ours = javaKeystore(bundle);
    assert.ok(ours.equals(javaKeystore(bundle)), 'deterministic');
    const jdk = trusted(ours, 'synthetic');
    assert.equal(jdk.length, 3);
    assert.deepEqual(new Set(jdk), new Set(keystoreEntries(bundle).map((e) => e.alias)));
  });

  for (const debian of [12, 13] as const) {
    it(`debian${debian}: the store from the real CA bundle is read by keytool and the JDK with every alias`, async (t) => {
      if (!haveJdk(t)) return;
      const pkg = await realPackage(t, debian, 'amd64', 'ca-certificates');
      if (!pkg) return;
      const { bundle, certificates } = await caBundle(pkg.entries);
      const ours = javaKeystore(bundle);
      const file = join(dir, `d${debian}.jks`);
      writeFileSync(file, ours);
      const listing = execFileSync('keytool', ['-list', '-keystore', file, '-storepass', 'changeit'], {
        env: { ...process.env, LC_ALL: 'C' },
      }).toString();
      const n = Number(/contains (\d+) entr/.exec(listing)?.[1]);
      assert.ok(n > 100, `keytool lists ${n}`);
      // distroless keeps certificates whose subjects collide (bookworm's 20230311 has two
      // Firmaprofesional roots with one subject); a JKS reader keeps the last of each alias.
      const aliases = new Set(keystoreEntries(bundle).map((e) => e.alias));
      assert.equal(n, aliases.size);
      assert.ok(certificates - n <= 2, `${certificates} certificates, ${n} aliases`);
      assert.equal((listing.match(/trustedCertEntry/g) ?? []).length, n);
      const jdk = trusted(ours, `d${debian}`);
      assert.equal(jdk.length, n);
      assert.deepEqual(new Set(jdk), aliases, 'aliases are the JDK canonical subject names');
      // A wrong password is detected by the integrity digest.
      assert.throws(() =>
        execFileSync('keytool', ['-list', '-keystore', file, '-storepass', 'wrongpass'], { stdio: 'pipe' }),
      );
      t.diagnostic(`${certificates} certificates, ${n} distinct aliases trusted, ${ours.length} bytes`);
    });
  }
});
