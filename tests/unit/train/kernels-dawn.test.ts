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

describe('fused lookahead and EMA on WebGPU (Dawn)', () => {
  // One tensor of each layout (vec4 and scalar threads); a conv weight, a BN vector, an odd bias.
  const shapes = [[3, 3, 5, 8], [16], [7]];

  const start = (seed: number) => shapes.map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', seed + i));
  const owned = (tensors: TF.Tensor[]) => tensors.map((t) => tf.tidy(() => tf.variable(t.add(0))));
  /** What an SGD step does to the weights between two averages: new values, in buffers of their own (seeds above 0: tfjs draws a random seed for 0). */
  const drift = (variables: TF.Variable[], step: number) =>
    tf.tidy(() => variables.forEach((v, i) => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, 'float32', 1000 + 100 * step + i)))));
  const values = async (variables: TF.Variable[]) => Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));

  for (const kind of ['lookahead', 'ema'] as const) {
    it(`${kind}: one dispatch per tensor, the tfjs ops' numbers within 1e-6 relative, no leak`, async () => {
      const { Lookahead, WeightEma } = await import('../../../src/lib/train/ema');
      const initial = start(11);
      const fused = owned(initial);
      const stock = owned(initial);
      const make = (sources: TF.Variable[], kernels: 'custom' | 'stock') =>
        kind === 'lookahead' ? new Lookahead(sources, { kernels }) : new WeightEma(sources, 0.9, { kernels });
      const fusedAverage = make(fused, 'custom');
      const stockAverage = make(stock, 'stock');
      const update = (average: ReturnType<typeof make>, step: number) =>
        average instanceof Lookahead ? average.update(0.3 + 0.1 * step) : average.update();
      const device = (tf.backend() as unknown as { device: GPUDevice }).device;
      device.pushErrorScope('validation');
      const before = tf.memory().numTensors;
      // The first update meets buffers shared with the averages' clones; later ones, buffers of their own.
      for (let step = 0; step < 4; step++) {
        drift(fused, step);
        drift(stock, step);
        expect(countDispatches(tf, () => update(fusedAverage, step)).count).toBe(shapes.length);
        update(stockAverage, step);
      }
      if (fusedAverage instanceof Lookahead && stockAverage instanceof Lookahead) {
        fusedAverage.finish();
        stockAverage.finish();
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(await device.popErrorScope()).toBeNull();
      const [fusedWeights, stockWeights] = [await values(fused), await values(stock)];
      fusedWeights.forEach((w, i) => expectClose(w, stockWeights[i], `weights ${i}`, 1e-6));
      if (fusedAverage instanceof WeightEma && stockAverage instanceof WeightEma) {
        const [a, b] = [await values(fusedAverage.weights as TF.Variable[]), await values(stockAverage.weights as TF.Variable[])];
        a.forEach((w, i) => expectClose(w, b[i], `average ${i}`, 1e-6));
        // The average moved off its start: a kernel that wrote nothing would fail here.
        const initialValues = (await initial[0].data()) as Float32Array;
        expect(Math.max(...a[0].map((v, j) => Math.abs(v - initialValues[j])))).toBeGreaterThan(1e-2);
      } else {
        // A lookahead's weights are pulled back towards the starting point: not the drifted values.
        const drifted = owned(initial);
        for (let step = 0; step < 4; step++) drift(drifted, step);
        const far = await values(drifted);
        expect(Math.max(...fusedWeights[0].map((v, j) => Math.abs(v - far[0][j])))).toBeGreaterThan(1e-2);
        tf.dispose(drifted);
      }
      // The tensors the variables were made from still hold their values (the fused writes stayed in the variables' buffers).
      for (const t of initial) expect(await uncached(tf, t)).toEqual(await t.data());
      fusedAverage.dispose();
      stockAverage.dispose();
      tf.dispose([...initial, ...fused, ...stock]);
    });
  }

  it('the lookahead shares no buffer with its average afterwards, so the next SGD step is in place', async () => {
    const { Lookahead } = await import('../../../src/lib/train/ema');
    const [w] = owned(start(21).slice(0, 1));
    const lookahead = new Lookahead([w], { kernels: 'custom' });
    drift([w], 0);
    lookahead.update(0.5);
    const backend = tf.backend() as unknown as { refCount(dataId: object): number };
    expect(backend.refCount(w.dataId)).toBe(1);
    lookahead.dispose();
    w.dispose();
  });
});
