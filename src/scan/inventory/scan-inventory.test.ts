/** The inventory over a real scan: what wantForInventory keeps (reducers, not whole files) is enough. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipLayer } from '../../../test/helpers/images.ts';
import { createImage } from '../../oci/index.ts';
import { zip } from '../../zip/zip-testing.ts';
import { scanImage } from '../scan.ts';
import { type InventoryWarning, inventory, wantForInventory } from './index.ts';

describe('inventory: through a real scan', () => {
  it('keeps a summary of each jar, not the jar; a Node.js binary leaves only its version string', async () => {
    const pom = 'groupId=g\nartifactId=a\nversion=1\n';
    const jar = zip({ 'META-INF/maven/g/a/pom.properties': pom });
    const image = createImage({
      config: { architecture: 'amd64', os: 'linux', config: {} },
      layers: [
        await gzipLayer({
          'app/a.jar': jar,
          'app/bad.jar': 'not a zip',
          'nodejs/bin/node': Buffer.concat([Buffer.alloc(3 * 1024 * 1024), Buffer.from('node.js/v24.0.1\0')]),
        }),
      ],
    });
    const files = await scanImage(image, { want: wantForInventory });
    assert.ok((files.contents.get('/app/a.jar')?.length ?? 0) < 200);
    assert.equal(files.contents.get('/nodejs/bin/node')?.toString(), 'node.js/v24.0.1');
    const warnings: InventoryWarning[] = [];
    const inv = inventory(files, { onWarning: (w) => warnings.push(w) });
    assert.deepEqual(
      inv.packages.map((p) => p.purl),
      ['pkg:generic/node@24.0.1', 'pkg:maven/g/a@1'],
    );
    assert.deepEqual(
      warnings.map((w) => w.path),
      ['/app/bad.jar'],
    );
  });
});
