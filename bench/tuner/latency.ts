/**
 * Ask latency of the bayesian strategy: one ask of 2 trials after N completed trials in an
 * 8-parameter mixed space (log, reverse-log, integer and categorical parameters).
 * Usage: npm run bench:tuner-latency [-- --sizes 25,50,100,200 --repeats 15]
 */
import { createRng } from '../../src/lib/rng';
import type { SearchSpace } from '../../src/lib/space';
import { createStrategy } from '../../src/lib/tuner';
import { median } from './run';

const space: SearchSpace = {
  lr: { type: 'continuous', min: 1e-5, max: 1, scale: 'log' },
  wd: { type: 'continuous', min: 1e-6, max: 1e-1, scale: 'log' },
  momentum: { type: 'continuous', min: 0.5, max: 0.999, scale: 'reverse-log' },
  dropout: { type: 'continuous', min: 0, max: 0.5, scale: 'linear' },
  batch: { type: 'integer', min: 16, max: 512, scale: 'log' },
  depth: { type: 'integer', min: 1, max: 8 },
  optimizer: { type: 'categorical', values: ['sgd', 'adam', 'rmsprop'] },
  schedule: { type: 'categorical', values: ['constant', 'cosine', 'step', 'linear'] },
};

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const sizes = (flag('sizes') ?? '25,50,100,200').split(',').map(Number);
const repeats = Number(flag('repeats') ?? 15);

/** A noisy, smooth objective so the GP fit does real work. */
function objective(params: Record<string, string | number>, noise: number): number {
  const lr = Math.log10(params.lr as number);
  const wd = Math.log10(params.wd as number);
  const opt = params.optimizer === 'sgd' ? 0 : params.optimizer === 'adam' ? 0.3 : 0.6;
  return (lr + 2) ** 2 + 0.3 * (wd + 4) ** 2 + 5 * (params.dropout as number) + 0.1 * Math.abs((params.depth as number) - 4) + opt + 0.05 * noise;
}

console.log(`ask(2) latency, 8-parameter mixed space, ${repeats} asks per size, each followed by 2 tells`);
for (const size of sizes) {
  const strategy = createStrategy('bayesian', { space, goal: 'minimize', seed: size });
  const rng = createRng(size + 1000);
  // Reach the size the way a job would (ask, tell), stopping short so that the timed asks,
  // each followed by two tells, are centred on `size` completed trials.
  const start = Math.max(2, size - repeats);
  for (let done = 0; done < start; ) {
    for (const trial of strategy.ask(1)) {
      strategy.tell(trial.id, { value: objective(trial.params, rng.normal()) });
      done++;
    }
  }
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const trials = strategy.ask(2);
    times.push(performance.now() - started);
    for (const trial of trials) strategy.tell(trial.id, { value: objective(trial.params, rng.normal()) });
  }
  console.log(`${String(size).padStart(4)} completed: median ${median(times).toFixed(1)} ms, worst ${Math.max(...times).toFixed(1)} ms`);
}
