import { createRng, shuffledIndices } from '../rng';
import { CHANNELS, CLASSES, IMAGE_SIZE, PIXELS_PER_IMAGE, subset, type ImageSet } from './image-set';

/** One distinct colour per class, so even global pooling can tell classes apart. */
const CLASS_COLOURS: [number, number, number][] = [
  [220, 60, 60], [60, 200, 60], [60, 80, 220], [220, 200, 50], [200, 60, 200],
  [50, 200, 210], [240, 140, 40], [130, 70, 30], [150, 150, 150], [30, 30, 30],
];

/**
 * A CIFAR-shaped set that a tiny network can learn in a few steps: each class has its own
 * colour and stripe direction, and every image gets random brightness, offset and pixel noise.
 */
export function makeSyntheticSet(count: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const images = new Uint8Array(count * PIXELS_PER_IMAGE);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % CLASSES;
    labels[n] = label;
    const colour = CLASS_COLOURS[label];
    const brightness = 0.75 + 0.5 * rng.next();
    const phase = rng.int(8);
    const vertical = label % 2 === 0;
    for (let y = 0; y < IMAGE_SIZE; y++) {
      for (let x = 0; x < IMAGE_SIZE; x++) {
        const stripe = (((vertical ? x : y) + phase) >> 2) % 2 === 0 ? 1 : 0.55;
        const base = (n * IMAGE_SIZE * IMAGE_SIZE + y * IMAGE_SIZE + x) * CHANNELS;
        for (let c = 0; c < CHANNELS; c++) {
          const value = colour[c] * brightness * stripe + 24 * rng.normal();
          images[base + c] = Math.max(0, Math.min(255, Math.round(value)));
        }
      }
    }
  }
  // Shuffle so that batches mix classes the way real data does.
  return subset({ images, labels, count }, shuffledIndices(count, rng));
}
