import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES, type ModelName } from '../../../src/lib/recipe/hyperparameters';
import { countParams, createModel } from '../../../src/lib/train/models';
import { scaled } from '../../../src/lib/train/models/layers';
import { makeSyntheticSet } from '../../../src/lib/data/synthetic';
import { modelWidth } from '../../../bench/train/engines';
import { countLayersParams, createLayersModel } from '../../../bench/train/layers-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const images = makeSyntheticSet(12, 3);

describe('tfjs-layers versions of the models', () => {
  it.each(MODEL_NAMES.flatMap((name) => [1 / 8, 1 / 16].map((width) => [name, width] as [ModelName, number])))(
    '%s at width %d has the engine model’s trainable parameter count and maps images to 10 logits',
    async (name, width) => {
      const ours = await createModel(name, modelWidth(name, width), 1, images);
      const layers = createLayersModel(name, modelWidth(name, width));
      // airbench's BN scales are frozen in the engine but must learn in tfjs-layers (see layers-model.ts).
      const bnScales = name === 'airbench' ? 2 * [64, 256, 256].reduce((s, c) => s + scaled(c, width), 0) : 0;
      expect(countLayersParams(layers)).toBe(countParams(ours) + bnScales);
      // Frozen weights match too: airbench's 2×2×3×24 whitening conv and, in the engine, its constant BN scales,
      // which tfjs-layers trains (BN running statistics aside).
      const frozen = layers.nonTrainableWeights.filter((w) => !/moving_(mean|variance)/.test(w.name)).reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
      expect(frozen + bnScales).toBe(ours.constants.reduce((s, c) => s + c.size, 0));
      const y = tf.tidy(() => layers.apply(tf.zeros([2, 32, 32, 3]), { training: true }) as tf.Tensor);
      expect(y.shape).toEqual([2, 10]);
      tf.dispose(y);
      layers.dispose();
      ours.dispose();
    },
  );
});
