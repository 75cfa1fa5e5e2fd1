/**
 * Signatures and attestations in an OCI image layout, laid out as `cosign save` writes them:
 * index.json entries annotated `kind: dev.cosignproject.cosign/sigs` and `…/atts` beside the
 * image's entry (`kind: dev.cosignproject.cosign/image`, or `…/imageIndex`), which
 * `cosign verify --local-image DIR` reads. cosign's layout holds one signed image: signing
 * another image of the same layout is refused while the first is still in it.
 */
import { basename, resolve } from 'node:path';
import { type Descriptor, type Digest, type Image, isIndex, REF_NAME_ANNOTATION } from '../oci/index.ts';
import { readLayout, readLayoutEntry, readLayoutIndex, writeLayout } from '../oci/layout/index.ts';
import { type AttachedKind, type AttachedLayer, attachedImage, readAttachedLayers } from './attached.ts';
import { namedDigests } from './envelope.ts';
import { SignError } from './errors.ts';
import type { AttachedStore } from './store.ts';

const KIND = 'kind';
const KIND_OF: Record<AttachedKind, string> = {
  sig: 'dev.cosignproject.cosign/sigs',
  att: 'dev.cosignproject.cosign/atts',
};
const IMAGE_KINDS = new Set(['dev.cosignproject.cosign/image', 'dev.cosignproject.cosign/imageIndex']);

async function entryLayers(dir: string, d: Descriptor | undefined): Promise<AttachedLayer[]> {
  if (!d) return [];
  const a = await readLayoutEntry(dir, d);
  if (a.kind !== 'image')
    throw new SignError(
      'SIGN_MANIFEST_INVALID',
      `${dir}: the ${d.annotations?.[KIND]} entry is not an image`,
    );
  return readAttachedLayers(a as Image, `${dir} ${d.digest}`);
}

/** The store of the image `oci:DIR[:TAG]` names; `name` is the identity signatures carry. */
export async function layoutStore(
  dir: string,
  tag: string | undefined,
  name?: string,
): Promise<AttachedStore> {
  const a = await readLayout(dir, tag);
  const subject: Descriptor = {
    mediaType: a.descriptor.mediaType,
    digest: a.descriptor.digest,
    size: a.descriptor.size,
  };
  const refName = a.descriptor.annotations?.[REF_NAME_ANNOTATION];
  const kindEntry = async (kind: AttachedKind) =>
    (await readLayoutIndex(dir)).manifests.find((m) => m.annotations?.[KIND] === KIND_OF[kind]);
  return {
    subject,
    artifact: a,
    name: name ?? basename(resolve(dir)),
    where: `oci:${dir}${refName ? `:${refName}` : ''}`,
    async read(kind) {
      // Only what speaks of this image: a layout that was rebuilt may still hold the old image's.
      return (await entryLayers(dir, await kindEntry(kind))).filter((l) =>
        namedDigests(l).includes(subject.digest),
      );
    },
    async write(kind, layers, added) {
      const index = await readLayoutIndex(dir);
      const referenced = new Set(
        index.manifests
          .filter((m) => m.annotations?.[KIND] !== KIND_OF.sig && m.annotations?.[KIND] !== KIND_OF.att)
          .map((m) => m.digest),
      );
      const old = await entryLayers(dir, await kindEntry(kind));
      const other = old
        .flatMap(namedDigests)
        .find((d) => d !== subject.digest && referenced.has(d as Digest));
      if (other)
        throw new SignError(
          'SIGN_LAYOUT_CONFLICT',
          `${dir} already holds the ${kind === 'sig' ? 'signatures' : 'attestations'} of ${other}, which it still holds; a cosign layout carries one signed image: write this image to its own directory`,
        );
      const img = attachedImage(layers);
      const imageKind = isIndex(subject.mediaType)
        ? 'dev.cosignproject.cosign/imageIndex'
        : 'dev.cosignproject.cosign/image';
      await writeLayout(dir, [{ artifact: img, annotations: { [KIND]: KIND_OF[kind] } }], {
        transformIndex: (ix) => ({
          ...ix,
          manifests: ix.manifests
            .filter((m) => !(m.annotations?.[KIND] === KIND_OF[kind] && m.digest !== img.descriptor.digest))
            .map((m) => {
              const isSubject =
                m.digest === subject.digest &&
                (refName === undefined || m.annotations?.[REF_NAME_ANNOTATION] === refName);
              const ann = { ...m.annotations };
              if (isSubject) ann[KIND] = imageKind;
              else if (IMAGE_KINDS.has(ann[KIND] ?? '')) delete ann[KIND];
              else return m;
              return { ...m, annotations: ann };
            }),
        }),
      });
      return { location: `oci:${dir}`, digest: img.descriptor.digest, layers: layers.length, added };
    },
  };
}
