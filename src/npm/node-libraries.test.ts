import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeLibraryPackages } from './node-libraries.ts';

describe('nodeLibraryPackages', () => {
  it('maps the DT_NEEDED of the real node 22 and 26 binaries (measured live) to Debian packages', () => {
    const node22 =
      'libdl.so.2 libstdc++.so.6 libm.so.6 libgcc_s.so.1 libpthread.so.0 libc.so.6 ld-linux-x86-64.so.2';
    const node26 = `libatomic.so.1 ${node22.replace('ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1')}`;
    assert.deepEqual(nodeLibraryPackages(node22.split(' ')), {
      packages: ['libc6', 'libgcc-s1', 'libstdc++6'],
      unknown: [],
    });
    assert.deepEqual(nodeLibraryPackages(node26.split(' ')).packages, [
      'libatomic1',
      'libc6',
      'libgcc-s1',
      'libstdc++6',
    ]);
  });
  it('reports sonames it does not know instead of guessing', () => {
    assert.deepEqual(nodeLibraryPackages(['libc.so.6', 'libfoo.so.3', 'toString']), {
      packages: ['libc6'],
      unknown: ['libfoo.so.3', 'toString'],
    });
  });
});
