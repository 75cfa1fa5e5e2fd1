import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipLayer } from '../../test/helpers/images.ts';
import { cyclonedxErrors, semanticErrors, spdxErrors } from '../../test/helpers/sbom-schemas.ts';
import { createImage, type Image } from '../oci/index.ts';
import { SPDX_IDS } from '../scan/index.ts';
import { zip } from '../zip/zip-testing.ts';
import { imageSbom, shortName, stableUuid } from './index.ts';

const pom = 'groupId=org.example\nartifactId=lib\nversion=1.0\n';
const layers: Record<string, string | Buffer>[] = [
  {
    'etc/os-release': 'PRETTY_NAME="Distroless"\nID=debian\nVERSION_ID="13"\n',
    'var/lib/dpkg/status.d/libc6':
      'Package: libc6\nSource: glibc\nVersion: 2.41-12\nArchitecture: amd64\nMaintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n',
    'var/lib/dpkg/status.d/libc6.md5sums': 'x  lib/libc.so.6\n',
    'usr/share/doc/libc6/copyright':
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: x\nLicense: LGPL-2.1+ and GPL-2+-with-link-exception\n',
  },
  {
    'app/node_modules/@scope/x/package.json': '{"name":"@scope/x","version":"1.0.0","license":"MIT"}',
    'app/lib.jar': zip({ 'META-INF/maven/org.example/lib/pom.properties': pom }),
    'nodejs/bin/node': `${'\0'.repeat(2 * 1024 * 1024)}node.js/v22.1.0\0`,
  },
];

async function testImage(): Promise<Image> {
  return createImage({
    config: { architecture: 'amd64', os: 'linux', created: '1970-01-01T00:00:00Z', config: {} },
    layers: await Promise.all(layers.map((l) => gzipLayer(l))),
  });
}

describe('sbom', () => {
  it('SPDX 2.3 and CycloneDX 1.6 documents validate against the official schemas and are byte-stable', async () => {
    const image = await testImage();
    for (const format of ['spdx-json', 'cyclonedx-json'] as const) {
      const a = await imageSbom(image, {
        format,
        name: 'example/app:1',
        env: { SOURCE_DATE_EPOCH: '1700000000' },
      });
      const b = await imageSbom(image, {
        format,
        name: 'example/app:1',
        env: { SOURCE_DATE_EPOCH: '1700000000' },
      });
      assert.equal(a.text, b.text, 'two runs, same bytes');
      const doc = JSON.parse(a.text);
      const errors = format === 'spdx-json' ? spdxErrors(doc) : cyclonedxErrors(doc);
      assert.deepEqual(errors, [], `${format} schema errors`);
      assert.deepEqual(semanticErrors(doc), [], `${format} ids, references, LicenseRefs`);
      assert.ok(a.text.includes('pkg:deb/debian/libc6@2.41-12?arch=amd64&distro=debian-13&upstream=glibc'));
      assert.ok(a.text.includes('pkg:npm/%40scope/x@1.0.0'));
      assert.ok(a.text.includes('cpe:2.3:a:nodejs:node.js:22.1.0:*:*:*:*:*:*:*'));
      assert.ok(a.text.includes(`pkg:oci/app@sha256%3A${image.descriptor.digest.slice(7)}?arch=amd64`));
      assert.ok(a.text.includes('2023-11-14T22:13:20Z'));
    }
  });

  it('SPDX: the document DESCRIBES the image, which CONTAINS every package; LicenseRefs are declared', async () => {
    const image = await testImage();
    const { text, inventory } = await imageSbom(image, { format: 'spdx-json', name: 'example/app:1' });
    const doc = JSON.parse(text);
    assert.equal(doc.creationInfo.created, '1970-01-01T00:00:00Z', "the image's created time");
    const image0 = doc.packages[0];
    assert.equal(image0.primaryPackagePurpose, 'CONTAINER');
    assert.deepEqual(image0.checksums, [
      { algorithm: 'SHA256', checksumValue: image.descriptor.digest.slice(7) },
    ]);
    const contains = doc.relationships.filter(
      (r: { relationshipType: string }) => r.relationshipType === 'CONTAINS',
    );
    assert.equal(contains.length, inventory.packages.length);
    assert.equal(doc.packages.length, inventory.packages.length + 1);
    assert.deepEqual(
      doc.packages.map((p: { name: string }) => p.name),
      ['example/app:1', 'libc6', 'node', '@scope/x', 'lib'],
    );
    const libc = doc.packages.find((p: { name: string }) => p.name === 'libc6');
    assert.equal(libc.licenseDeclared, 'LGPL-2.1-or-later AND LicenseRef-GPL-2-plus-with-link-exception');
    assert.equal(libc.supplier, 'Person: GNU Libc Maintainers (debian-glibc@lists.debian.org)');
    assert.deepEqual(
      doc.hasExtractedLicensingInfos.map((l: { licenseId: string }) => l.licenseId),
      ['LicenseRef-GPL-2-plus-with-link-exception'],
    );
    assert.match(
      doc.documentNamespace,
      /^https:\/\/spdx\.org\/spdxdocs\/distill-example-app-1-[0-9a-f-]{36}$/,
    );
  });

  it('CycloneDX: the image is metadata.component (container), the OS a component, every package depends from it', async () => {
    const image = await testImage();
    const { text } = await imageSbom(image, { format: 'cyclonedx-json', name: 'example/app:1' });
    const bom = JSON.parse(text);
    assert.equal(bom.metadata.component.type, 'container');
    assert.equal(bom.metadata.component.version, image.descriptor.digest);
    assert.deepEqual(
      bom.components.map((c: { type: string; group?: string; name: string }) => [
        c.type,
        c.group ?? '',
        c.name,
      ]),
      [
        ['operating-system', '', 'debian'],
        ['library', '', 'libc6'],
        ['application', '', 'node'],
        ['library', '@scope', 'x'],
        ['library', 'org.example', 'lib'],
      ],
    );
    assert.equal(bom.dependencies[0].dependsOn.length, 5);
    assert.match(
      bom.serialNumber,
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('the schemas do reject what is wrong (so a pass means something)', () => {
    assert.notDeepEqual(spdxErrors({ spdxVersion: 'SPDX-2.3' }), []);
    const bom = (license: object) => ({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [{ type: 'library', name: 'x', licenses: [{ license }] }],
    });
    assert.deepEqual(cyclonedxErrors(bom({ id: 'MIT' })), []);
    assert.notDeepEqual(cyclonedxErrors(bom({ id: 'LicenseRef-x' })), [], 'ids come from the SPDX list');
    const spdx = {
      spdxVersion: 'SPDX-2.3',
      SPDXID: 'SPDXRef-DOCUMENT',
      packages: [{ SPDXID: 'SPDXRef-a', licenseDeclared: 'LicenseRef-x', licenseConcluded: 'NOASSERTION' }],
      relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: 'SPDXRef-b' }],
    };
    assert.deepEqual(semanticErrors(spdx), ['dangling SPDXRef-b', 'SPDXRef-a: LicenseRef-x not declared']);
    for (const id of SPDX_IDS) assert.deepEqual(cyclonedxErrors(bom({ id })), [], `${id} is an SPDX id`);
  });

  it('names and ids are derived, never random', () => {
    assert.equal(stableUuid('a', 'b'), stableUuid('a', 'b'));
    assert.notEqual(stableUuid('a', 'b'), stableUuid('a', 'c'));
    assert.equal(shortName('distill/nodejs22:latest'), 'nodejs22');
    assert.equal(shortName('oci:/tmp/out/x:latest'), 'x');
    assert.equal(shortName('localhost:5000/a/b@sha256:abc'), 'b');
  });
});
