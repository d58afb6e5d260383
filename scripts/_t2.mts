const useGpu = process.argv[2] === 'webgpu';
if (useGpu) await import('/work/main/src/cli/node-gpu.ts');
await import('@tensorflow/tfjs-backend-webgpu');
const tf = await import('@tensorflow/tfjs');
const { initBackend } = await import('/work/main/src/lib/train/backend.ts');
const { readTrainConfig } = await import('/work/main/src/lib/train/hyperparameters.ts');
const { loadTrainData } = await import('/work/main/src/lib/train/data.ts');
const { train } = await import('/work/main/src/lib/train/loop.ts');
const info = await initBackend(useGpu ? ['webgpu'] : ['cpu']);
console.log(info);
const cfg = readTrainConfig({ train_size: 64, val_size: 64, batch_size: 16, width: 4, lr: 0.05, epochs: 2 });
const data = loadTrainData(cfg);
const before = tf.memory().numTensors;
for (let i = 0; i < 2; i++) {
  const t0 = performance.now();
  const r = await train(cfg, data, 1, { log: (l) => console.log(l), shouldStop: () => false });
  console.log(r, tf.memory().numTensors, before, (performance.now() - t0).toFixed(0), 'ms');
}
