/**
 * The trust store checked by the JDK itself: byte-identical to what distroless's generator
 * (rules_distroless v0.8.0 JavaKeyStore.java, kept in test/fixtures/assemble) writes for the same
 * bundle, listed by keytool, and loaded by the JDK's TrustManagerFactory.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  let compiled = false;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'distill-jks-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs distroless's generator on `bundle` and returns its output. */
  function distrolessJks(bundle: Buffer, name: string): Buffer {
    if (!compiled) {
      execFileSync('javac', ['-d', dir, join(FIXTURES, 'JavaKeyStore.java')], { stdio: 'pipe' });
      compiled = true;
    }
    const pem = join(dir, `${name}.pem`);
    const out = join(dir, `${name}.distroless.jks`);
    writeFileSync(pem, bundle);
    execFileSync('java', ['-cp', dir, 'JavaKeyStore', out, pem], { stdio: 'pipe' });
    return readFileSync(out);
  }

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

  it('matches distroless byte for byte on awkward subjects, and the JDK reads the same aliases', (t) => {
    if (!haveJdk(t)) return;
    if (!haveOpenssl()) {
      if (process.env.CI === 'true') throw new Error('openssl missing (Debian package openssl)');
      return t.skip('openssl missing (Debian package openssl)');
    }
    const bundle = Buffer.from(makeCerts().join(''));
    const ours = javaKeystore(bundle);
    assert.ok(ours.equals(distrolessJks(bundle, 'synthetic')), 'differs from JavaKeyStore.java');
    assert.equal(trusted(ours, 'synthetic').length, 3);
  });

  for (const debian of [12, 13] as const) {
    it(`debian${debian}: the store from the real CA bundle equals distroless's, keytool lists every certificate`, async (t) => {
      if (!haveJdk(t)) return;
      const pkg = await realPackage(t, debian, 'amd64', 'ca-certificates');
      if (!pkg) return;
      const { bundle, certificates } = await caBundle(pkg.entries);
      const ours = javaKeystore(bundle);
      assert.ok(ours.equals(distrolessJks(bundle, `d${debian}`)), 'differs from JavaKeyStore.java');
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
      assert.equal(trusted(ours, `d${debian}`).length, n);
      // A wrong password is detected by the integrity digest.
      assert.throws(() =>
        execFileSync('keytool', ['-list', '-keystore', file, '-storepass', 'wrongpass'], { stdio: 'pipe' }),
      );
      t.diagnostic(`${certificates} certificates, ${n} distinct aliases trusted, ${ours.length} bytes`);
    });
  }
});
