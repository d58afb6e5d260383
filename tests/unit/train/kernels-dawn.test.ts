import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { countDispatches, expectClose, startDawn, uncached } from './webgpu-probes';

let tf: typeof TF;
beforeAll(async () => {
  tf = await startDawn();
});

describe('fused SGD update on WebGPU (Dawn)', () => {
  // shared: the variables' buffers are also held by clones (as after EMA or lookahead), so the
  // update must leave them alone and write fresh buffers; otherwise it writes in place.
  const cases = [
    { shape: [7], nesterov: false, decay: 0, shared: true },
    { shape: [3, 3, 5, 8], nesterov: true, decay: 0.01, shared: false },
    { shape: [2, 3], nesterov: true, decay: 0, shared: false },
    { shape: [16], nesterov: false, decay: 0.003, shared: true },
  ];
  for (const { shape, nesterov, decay, shared } of cases) {
    it(`matches the tfjs ops for shape [${shape}], ${nesterov ? 'Nesterov' : 'heavy ball'}, decay ${decay}, ${shared ? 'shared buffers' : 'in place'}`, async () => {
      const { stockSgdUpdate } = await import('../../../src/lib/train/optimizer');
      const { canFuseSgd, fusedSgdUpdate } = await import('../../../src/lib/train/kernels/sgd-update');
      const size = shape.reduce((a, b) => a * b, 1);
      expect(canFuseSgd(size)).toBe(true);
      const w0 = tf.randomNormal(shape, 0, 1, 'float32', 1);
      const v0 = tf.randomNormal(shape, 0, 0.1, 'float32', 2);
      const g = tf.randomNormal(shape, 0, 0.5, 'float32', 3);
      const [w0Values, v0Values] = [await w0.data(), await v0.data()];
      const own = (t: TF.Tensor) => {
        const copy = t.add(0);
        const variable = tf.variable(copy);
        copy.dispose();
        return variable;
      };
      const fused = shared ? { w: tf.variable(w0), v: tf.variable(v0) } : { w: own(w0), v: own(v0) };
      const stock = { w: own(w0), v: own(v0) };
      // A value read before the update is cached on the CPU: the in-place write must not leave it stale.
      await fused.w.data();
      const before = tf.memory().numTensors;
      // A bind group that does not match its shader fails on the device without a JavaScript error.
      const device = (tf.backend() as unknown as { device: GPUDevice }).device;
      device.pushErrorScope('validation');
      for (let step = 0; step < 3; step++) {
        expect(countDispatches(tf, () => fusedSgdUpdate(fused.w, fused.v, g, 0.05 * (step + 1), decay, 0.9, nesterov)).count).toBe(1);
        tf.tidy(() => stockSgdUpdate(stock.w, stock.v, g, 0.05 * (step + 1), decay, 0.9, nesterov));
      }
      expect(await device.popErrorScope()).toBeNull();
      expect(tf.memory().numTensors).toBe(before);
      expect(fused.w.shape).toEqual(shape);
      expectClose((await fused.w.data()) as Float32Array, (await stock.w.data()) as Float32Array);
      expectClose((await fused.v.data()) as Float32Array, (await stock.v.data()) as Float32Array);
      // The update moved the weights: a kernel that wrote nothing would pass the comparison with itself only.
      expect(Math.max(...((await tf.sub(fused.w, w0).abs().data()) as Float32Array))).toBeGreaterThan(1e-3);
      // The tensors the variables were made from (sharing their buffers when shared) still hold the starting values.
      expect(await uncached(tf, w0)).toEqual(w0Values);
      expect(await uncached(tf, v0)).toEqual(v0Values);
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
