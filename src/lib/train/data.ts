import type { TrainConfig } from './hyperparameters';
import type { TrainData } from './loop';
import { subset } from './image-set';
import { makeSyntheticSet } from './synthetic';

/** Builds the train, validation and test splits a config asks for. Disjoint splits of one generated pool. */
export function loadTrainData(config: TrainConfig, dataSeed = 2024): TrainData {
  const total = config.trainSize + config.valSize + config.testSize;
  const pool = makeSyntheticSet(total, dataSeed);
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
  return {
    train: subset(pool, range(0, config.trainSize)),
    val: subset(pool, range(config.trainSize, config.valSize)),
    test: subset(pool, range(config.trainSize + config.valSize, config.testSize)),
  };
}
