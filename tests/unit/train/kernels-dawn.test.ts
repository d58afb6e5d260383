import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';

// Dawn must be on navigator before tfjs-backend-webgpu is imported: it registers only if WebGPU exists.
let tf: typeof TF;
beforeAll(async () => {
  await import('../../../src/cli/node-gpu');
  await import('@tensorflow/tfjs-backend-webgpu');
  tf = await import('@tensorflow/tfjs');
  await tf.setBackend('webgpu');
  await tf.ready();
});

/** max|a − b| ≤ 1e-4·max|b| + 1e-6, the kernels' fp32 tolerance. */
function expectClose(actual: Float32Array, expected: Float32Array) {
  const scale = Math.max(...expected.map(Math.abs));
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - expected[i])));
  expect(worst).toBeLessThanOrEqual(1e-4 * scale + 1e-6);
}

describe('fused SGD update on WebGPU (Dawn)', () => {
  const cases = [
    { shape: [7], nesterov: false, decay: 0 },
    { shape: [3, 3, 5, 8], nesterov: true, decay: 0.01 },
    { shape: [2, 3], nesterov: true, decay: 0 },
    { shape: [16], nesterov: false, decay: 0.003 },
  ];
  for (const { shape, nesterov, decay } of cases) {
    it(`matches the tfjs ops for shape [${shape}], ${nesterov ? 'Nesterov' : 'heavy ball'}, decay ${decay}`, async () => {
      const { stockSgdUpdate } = await import('../../../src/lib/train/optimizer');
      const { canFuseSgd, fusedSgdUpdate } = await import('../../../src/lib/train/kernels/sgd-update');
      const size = shape.reduce((a, b) => a * b, 1);
      expect(canFuseSgd(size)).toBe(true);
      const w0 = tf.randomNormal(shape, 0, 1, 'float32', 1);
      const v0 = tf.randomNormal(shape, 0, 0.1, 'float32', 2);
      const g = tf.randomNormal(shape, 0, 0.5, 'float32', 3);
      const fused = { w: tf.variable(w0.clone()), v: tf.variable(v0.clone()) };
      const stock = { w: tf.variable(w0.clone()), v: tf.variable(v0.clone()) };
      const before = tf.memory().numTensors;
      // A bind group that does not match its shader fails on the device without a JavaScript error.
      const device = (tf.backend() as unknown as { device: GPUDevice }).device;
      device.pushErrorScope('validation');
      for (let step = 0; step < 3; step++) {
        fusedSgdUpdate(fused.w, fused.v, g, 0.05 * (step + 1), decay, 0.9, nesterov);
        tf.tidy(() => stockSgdUpdate(stock.w, stock.v, g, 0.05 * (step + 1), decay, 0.9, nesterov));
      }
      expect(await device.popErrorScope()).toBeNull();
      expect(tf.memory().numTensors).toBe(before);
      expect(fused.w.shape).toEqual(shape);
      expectClose((await fused.w.data()) as Float32Array, (await stock.w.data()) as Float32Array);
      expectClose((await fused.v.data()) as Float32Array, (await stock.v.data()) as Float32Array);
      // The update moved the weights: a kernel that wrote nothing would pass the comparison with itself only.
      expect(Math.max(...((await tf.sub(fused.w, w0).abs().data()) as Float32Array))).toBeGreaterThan(1e-3);
      tf.dispose([w0, v0, g, fused.w, fused.v, stock.w, stock.v]);
    });
  }

  it('is used by the optimizer with kernels=custom, and gives the same losses as the stock ops', async () => {
    const { SgdMomentum } = await import('../../../src/lib/train/optimizer');
    const losses = async (kernels: 'custom' | 'stock') => {
      const w = tf.variable(tf.randomNormal([4, 4], 0, 1, 'float32', 5));
      const x = tf.randomNormal([8, 4], 0, 1, 'float32', 6);
      const y = tf.randomNormal([8, 4], 0, 1, 'float32', 7);
      const optimizer = new SgdMomentum([{ variable: w, lrScale: 1 }], { nesterov: true, weightDecay: 0.01, kernels });
      const out: number[] = [];
      for (let step = 0; step < 10; step++) {
        const loss = optimizer.step(() => tf.losses.meanSquaredError(y, tf.matMul(x, w)) as TF.Scalar, 0.1, 0.9);
        out.push((await loss.data())[0]);
        loss.dispose();
      }
      optimizer.dispose();
      tf.dispose([w, x, y]);
      return out;
    };
    const custom = await losses('custom');
    const stock = await losses('stock');
    custom.forEach((loss, i) => expect(Math.abs(loss - stock[i])).toBeLessThanOrEqual(1e-3 * Math.abs(stock[i])));
    expect(custom[9]).toBeLessThan(custom[0]);
  });
});
