import type { ImageSet } from './image-set';

/**
 * A content hash of decoded images (SHA-256, hex): the labels and pixels of each set, in order.
 * Each part is hashed where it lies and the part hashes are hashed together, so a 180 MB set is
 * never copied into one buffer. Order matters: the same images in another order split into
 * other validation sets, so they are another data set.
 */
export async function imageSetsDigest(sets: ImageSet[]): Promise<string> {
  const parts: Uint8Array[] = [];
  for (const set of sets) {
    parts.push(await sha256(set.labels.subarray(0, set.count)));
    parts.push(await sha256(set.images.subarray(0, set.images.length)));
  }
  const joined = new Uint8Array(parts.length * 32);
  parts.forEach((part, i) => joined.set(part, i * 32));
  return hex(await sha256(joined));
}

/**
 * `imageSetsDigest([train, test])` of the official CIFAR-10 binary release (data_batch_1–5 then
 * test_batch, records in file order), computed from the published files. A job whose coordinator
 * holds no copy of CIFAR-10 names this one.
 */
export const OFFICIAL_CIFAR10_SHA256 = 'f1f0226f8e6e040ad1f5d22366b54a2ef88a6eac35e97dc7c61bbb9b28def73f';

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
