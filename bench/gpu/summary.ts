/**
 * What the GPU benchmark found, as JSON for tools and as text for people: per model and engine the
 * median ms per step, the achieved TFLOP/s against the stated peak, and the extrapolated time of a
 * full run. Pure: gpu-bench.ts measures, this only computes and words.
 */
import type { BenchRow } from '../train/report';
import { extrapolateRun, type Extrapolation } from './extrapolate';
import { STEP_OVER_FORWARD, stepFlops, teraflopsPerSecond, type FlopTally } from './flops';

export interface EngineFigures {
  engine: string;
  backend: string;
  adapter: string;
  msPerStep: number;
  /** Each repetition's ms per step, of which msPerStep is the median. */
  samples: number[];
  imagesPerSec: number;
  tflops: number;
  percentOfPeak: number;
  extrapolation: Extrapolation;
}

export interface ModelSummary {
  model: string;
  status: 'measured' | 'failed' | 'skipped';
  error?: string;
  params?: number;
  /** The recipe's default epochs for the model (src/lib/recipe/hyperparameters.ts). */
  epochs: number;
  forwardFlopsPerImage: number;
  /** Conv and matmul FLOPs of a real gradient computation, traced, per image: the check on the 3 × forward convention. */
  tracedStepFlopsPerImage?: number;
  stepFlops: number;
  engines: EngineFigures[];
}

export interface GpuSummary {
  tool: 'tabtune gpu benchmark';
  startedAt: string;
  seconds: number;
  adapter: { name: string; software: boolean; note?: string; info: Record<string, unknown> };
  peak: { tflops: number; source: string };
  settings: { width: number; batch: number; warmup: number; steps: number; repetitions: number; engines: string[]; data: 'synthetic'; trainImages: number };
  conventions: string[];
  models: ModelSummary[];
}

export const CONVENTIONS = [
  `FLOPs: conv and dense multiply-adds only (2 FLOPs each), traced from the kernels tfjs runs for one forward pass at batch 1 and scaled by the batch; a training step counts ${STEP_OVER_FORWARD} × forward (forward, input gradient, weight gradient). BatchNorm, activations, pooling and the optimizer are not counted.`,
  'ms/step: bench:train\'s timing: warm-up steps, then interleaved repetitions of back-to-back steps ending in a readback; the median repetition.',
  'Extrapolation, not a measurement: floor(training images / batch) steps per epoch × the recipe\'s default epochs × ms/step. No evaluation, no shader compilation, no change of speed over a run.',
];

export function engineFigures(row: BenchRow, forwardPerImage: number, epochs: number, peakTflops: number, trainImages: number): EngineFigures {
  const tflops = teraflopsPerSecond(stepFlops(forwardPerImage, row.batch), row.msPerStep);
  return {
    engine: row.engine,
    backend: row.backend,
    adapter: row.adapter,
    msPerStep: row.msPerStep,
    samples: row.samples,
    imagesPerSec: row.imagesPerSec,
    tflops,
    percentOfPeak: (100 * tflops) / peakTflops,
    extrapolation: extrapolateRun(row.msPerStep, row.batch, epochs, trainImages),
  };
}

export function modelSummary(model: string, epochs: number, flops: { forward: FlopTally; step?: FlopTally }, batch: number): ModelSummary {
  return {
    model,
    status: 'skipped',
    epochs,
    forwardFlopsPerImage: flops.forward.total,
    tracedStepFlopsPerImage: flops.step?.total,
    stepFlops: stepFlops(flops.forward.total, batch),
    engines: [],
  };
}

const giga = (flops: number) => (flops >= 1e9 ? (flops / 1e9).toFixed(3) : (flops / 1e9).toPrecision(3));

export function seconds(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  const [h, m, sec] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(sec).padStart(2, '0')} s`;
}

/** Three significant digits, so a software adapter's tiny rates still read as numbers. */
const rate = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

export function formatSummary(summary: GpuSummary): string {
  const { settings: s } = summary;
  const lines = [
    `TabTune GPU benchmark, ${summary.startedAt} (${seconds(summary.seconds)})`,
    `Adapter: ${summary.adapter.name}${summary.adapter.software ? '  [SOFTWARE: not a GPU figure]' : ''}`,
    ...(summary.adapter.note ? [`  ${summary.adapter.note}`] : []),
    `Peak compared with: ${summary.peak.tflops} TFLOP/s — ${summary.peak.source}`,
    `Settings: width ${s.width}, batch ${s.batch}, synthetic data, ${s.warmup} warm-up step(s), ${s.repetitions} × ${s.steps} timed steps per engine (${s.engines.join(', ')}), medians`,
    '',
    `${'model'.padEnd(9)} ${'engine'.padEnd(7)} ${'ms/step'.padStart(9)} ${'images/s'.padStart(9)} ${'GFLOP/step'.padStart(11)} ${'TFLOP/s'.padStart(8)} ${'% peak'.padStart(7)}`,
  ];
  for (const m of summary.models) {
    if (m.status !== 'measured') {
      lines.push(`${m.model.padEnd(9)} ${m.status}${m.error ? `: ${m.error}` : ''}`);
      continue;
    }
    for (const e of m.engines) {
      lines.push(
        `${m.model.padEnd(9)} ${e.engine.padEnd(7)} ${e.msPerStep.toFixed(1).padStart(9)} ${e.imagesPerSec.toFixed(0).padStart(9)} ${giga(m.stepFlops).padStart(11)} ${rate(e.tflops).padStart(8)} ${rate(e.percentOfPeak).padStart(6)}%`,
      );
    }
  }
  lines.push('', 'FLOPs per image (forward; traced step as a check on the 3 × convention):');
  for (const m of summary.models) {
    const traced = m.tracedStepFlopsPerImage;
    lines.push(`  ${m.model.padEnd(9)} forward ${giga(m.forwardFlopsPerImage)} GFLOP${traced ? `, traced step ${giga(traced)} GFLOP (${(traced / m.forwardFlopsPerImage).toFixed(3)} × forward)` : ''}`);
  }
  lines.push('', `Extrapolation (not a measurement) of the time to 94%: the recipe's default epochs at this ms/step, ${s.trainImages} training images, batch ${s.batch}:`);
  for (const m of summary.models) {
    for (const e of m.engines) {
      const x = e.extrapolation;
      lines.push(`  ${m.model.padEnd(9)} ${e.engine.padEnd(7)} ${x.epochs} epochs × ${x.stepsPerEpoch} steps = ${x.totalSteps} steps → ${seconds(x.runSeconds)} (epoch ${seconds(x.epochSeconds)})`);
    }
  }
  lines.push('', 'Conventions:', ...summary.conventions.map((c) => `  - ${c}`));
  return `${lines.join('\n')}\n`;
}
