/**
 * The CA bundle from the real ca-certificates packages of bookworm and trixie, checked against
 * distroless's own algorithm (rules_distroless v0.8.0 cacerts.sh's add_cert, run by bash in the C
 * locale on the package unpacked by dpkg-deb) and parsed by openssl.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { realPackage } from '../../test/fixtures/assemble/debian-packages.ts';
import { caBundle } from './ca-bundle.ts';

// cacerts.sh's add_cert, verbatim.
const ADD_CERT = `
function add_cert () {
    local dir="$1"

    if test -d "\${dir}"; then
        for cert in "\${dir}"/*; do
            if test -d "\${cert}"; then
                add_cert "\${cert}"
                continue
            fi
            while IFS= read -r IN; do
                printf "%s\\n" "\${IN}" >> $cacerts_out
            done <"\${cert}"
        done
    fi
}
add_cert "$1/usr/share/ca-certificates"
`;

function tool(t: { skip(m: string): void }, cmd: string, pkg: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error(`${cmd} missing (Debian package ${pkg})`);
    t.skip(`${cmd} missing (Debian package ${pkg})`);
    return false;
  }
}

describe('caBundle on the real ca-certificates packages', () => {
  for (const debian of [12, 13] as const) {
    it(`debian${debian}: equals distroless cacerts.sh byte for byte, one certificate per .crt, openssl parses all`, async (t) => {
      if (!tool(t, 'dpkg-deb', 'dpkg') || !tool(t, 'openssl', 'openssl')) return;
      const pkg = await realPackage(t, debian, 'amd64', 'ca-certificates');
      if (!pkg) return;
      const r = await caBundle(pkg.entries);
      const crtFiles = pkg.entries.filter(
        (e) =>
          e.type === 'file' && e.path.startsWith('usr/share/ca-certificates/') && e.path.endsWith('.crt'),
      ).length;
      assert.ok(crtFiles > 100, `${crtFiles} .crt files`);
      assert.equal(r.certificates, crtFiles);
      assert.equal(r.sources.length, crtFiles);

      const dir = mkdtempSync(join(tmpdir(), 'distill-cacerts-'));
      try {
        execFileSync('dpkg-deb', ['-x', pkg.path, join(dir, 'root')]);
        const expected = join(dir, 'expected.crt');
        writeFileSync(expected, '');
        execFileSync(
          'bash',
          [
            '--norc',
            '--noprofile',
            '-c',
            `set -o errexit; cacerts_out=${expected}; ${ADD_CERT}`,
            'add',
            join(dir, 'root'),
          ],
          {
            env: { PATH: process.env.PATH, LC_ALL: 'C' },
          },
        );
        assert.ok(readFileSync(expected).equals(r.bundle), 'bundle differs from cacerts.sh output');
        const copyright = readFileSync(join(dir, 'root/usr/share/doc/ca-certificates/copyright'));
        const entry = r.entries.find((e) => e.path === 'usr/share/doc/ca-certificates/copyright');
        assert.ok(entry?.content);
        assert.ok(copyright.equals((await entry.content()) as Buffer));

        const ours = join(dir, 'ours.crt');
        writeFileSync(ours, r.bundle);
        const p7 = execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', ours]);
        const printed = execFileSync('openssl', ['pkcs7', '-print_certs', '-noout'], {
          input: p7,
        }).toString();
        assert.equal(printed.match(/^subject=/gm)?.length, crtFiles);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      t.diagnostic(
        `ca-certificates ${pkg.version}: ${r.certificates} certificates, ${r.bundle.length} bytes`,
      );
    });
  }
});
