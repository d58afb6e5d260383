import type { ImageSet } from '../../data/image-set';
import type { ModelName } from '../../recipe/hyperparameters';
import { createTinyCnn } from './tiny-cnn';
import { createAirbench } from './airbench';
import type { Model } from './model';
import { createResNet18 } from './resnet18';
import { createResNet9 } from './resnet9';
import { whiteningFilter } from './whitening';

export type { Model } from './model';
export { countParams } from './model';

/** Builds a model; airbench needs the training images for its whitening layer. */
export async function createModel(name: ModelName, width: number, seed: number, train?: ImageSet): Promise<Model> {
  switch (name) {
    case 'tiny-cnn':
      return createTinyCnn(width, seed);
    case 'resnet9':
      return createResNet9(width, seed);
    case 'resnet18':
      return createResNet18(width, seed);
    case 'airbench': {
      if (!train || train.count === 0) throw new Error('airbench needs training images to compute its whitening layer.');
      const filter = await whiteningFilter(train);
      try {
        return createAirbench(width, seed, filter);
      } finally {
        filter.dispose();
      }
    }
  }
}
