/** Debian architecture names and OCI platforms, both ways (issue 14: arm/v7, ppc64le, s390x, riscv64). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debianArch, parsePlatform, platformOfDebianArch } from './platform.ts';
import { formatPlatform } from './types.ts';

test('every Debian architecture distill builds maps to its OCI platform and back', () => {
  const cases: [string, string][] = [
    ['amd64', 'linux/amd64'],
    ['arm64', 'linux/arm64/v8'],
    ['armhf', 'linux/arm/v7'],
    ['armel', 'linux/arm/v5'],
    ['s390x', 'linux/s390x'],
    ['ppc64el', 'linux/ppc64le'],
    ['riscv64', 'linux/riscv64'],
  ];
  for (const [deb, oci] of cases) {
    assert.equal(formatPlatform(platformOfDebianArch(deb)), oci, deb);
    assert.deepEqual(platformOfDebianArch(deb), parsePlatform(oci), deb);
    assert.equal(debianArch(parsePlatform(oci)), deb, oci);
  }
});
