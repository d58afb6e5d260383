import { describe, expect, it } from 'vitest';
import { loadCifarFolder } from '../../../../src/cli/cifar-folder';
import { CLASSES } from '../../../../src/lib/data/image-set';

/**
 * Opt-in check against the official binary batches:
 *   CIFAR10_DIR=/work/shared/data/cifar-10 npx vitest run tests/unit/formats
 * The default suite covers every format on generated fixtures and does not need these files.
 */
const dir = process.env.CIFAR10_DIR;

describe.runIf(dir)('official CIFAR-10 files (CIFAR10_DIR)', () => {
  it('reads 50,000 train and 10,000 test images with the known first test record', async () => {
    const data = await loadCifarFolder(dir!);
    expect(data.train.count).toBe(50_000);
    expect(data.test.count).toBe(10_000);
    expect(data.test.labels[0]).toBe(3); // cat
    // Red values of the top row, every third byte in NHWC.
    expect([0, 1, 2].map((x) => data.test.images[x * 3])).toEqual([158, 159, 165]);
    expect(data.train.labels[0]).toBe(6); // frog
    const counts = new Array(CLASSES).fill(0);
    for (const l of data.test.labels) counts[l]++;
    expect(counts).toEqual(new Array(CLASSES).fill(1000));
    const trainCounts = new Array(CLASSES).fill(0);
    for (const l of data.train.labels) trainCounts[l]++;
    expect(trainCounts).toEqual(new Array(CLASSES).fill(5000));
  });

  it('reads only what a limit needs', async () => {
    const data = await loadCifarFolder(dir!, { limit: 10 });
    expect(data.train.count).toBe(10);
    expect(data.test.count).toBe(10);
    expect(data.test.labels[0]).toBe(3);
  });
});
