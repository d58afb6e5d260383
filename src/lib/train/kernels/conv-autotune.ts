import * as tf from '@tensorflow/tfjs';
import { tilesProblem, type GemmBackend, type GemmTiles } from './conv-gemm';
import { convGeometry, geometryKey, tunedTiles, type ConvGeometry, type FilterGradTiles } from './conv-geometry';
import { filterGradTiles, fitFilterTiles, planFilterGemm, runFilterGrad } from './conv-filter-grad';
import { fitInputTiles, inputGradTiles, runInputGrad } from './conv-input-grad';
import { fitForwardTiles, forwardTiles, runForward } from './conv-forward';

/**
 * Per-adapter tile choice for the two convolution gradients. For every layer shape it times a few
 * tile configurations of each kernel on the real device (within a time budget per kernel), keeps
 * the fastest, and remembers it per adapter: in memory for the process, and in an optional
 * injected store (the page can hand in localStorage; src/lib itself touches no DOM API).
 *
 * Off unless called, and a no-op on software adapters (SwiftShader and the like are CPUs; what is
 * fastest there says nothing about a GPU) unless `force` is set. Tests never call it except to test it.
 */

/** A persistent key-value store for the winners, e.g. a wrapper around localStorage. */
export interface TileCache {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<void>;
}

export interface AdapterIdentity {
  vendor?: string;
  architecture?: string;
  description?: string;
}

export interface AutotuneOptions {
  /** Time for each kernel's measurements, all layers together (ms). Default 2000. */
  budgetMs?: number;
  /** Where winners persist between sessions. */
  cache?: TileCache;
  /** The adapter as `GPUAdapter.info` describes it; default: what the tfjs backend kept (vendor, architecture). */
  adapter?: AdapterIdentity;
  /** Tune on a software adapter too (tests). */
  force?: boolean;
  /** Replace the candidate tile configurations (tests). */
  candidates?: { forward?: GemmTiles[]; filter?: FilterGradTiles[]; input?: GemmTiles[] };
  /** Repetitions timed per candidate after its warm-up. Default 3. */
  reps?: number;
}

/** The three convolution kernels with tiles: the forward pass and its two gradients. */
type TunedKernel = 'forward' | 'filter' | 'input';
const TUNED_KERNELS: TunedKernel[] = ['forward', 'filter', 'input'];

interface Winners {
  forward: Record<string, GemmTiles>;
  filter: Record<string, FilterGradTiles>;
  input: Record<string, GemmTiles>;
}

export interface AutotuneReport {
  adapter: string;
  /** Where the tiles came from: timed now, this process's memory, the injected cache, or nothing (skipped). */
  source: 'timed' | 'memory' | 'cache' | 'skipped';
  reason?: string;
  /** Per layer shape and kernel: the winner and, when timed, every candidate's ms. */
  layers: { key: string; kernel: TunedKernel; tiles: GemmTiles; timings?: { tiles: GemmTiles; ms: number }[] }[];
}

const CACHE_PREFIX = 'tabtune-conv-tiles:';
const memory = new Map<string, Winners>();

/** Forgets this process's winners (tests: a fresh session). */
export function clearAutotuneMemory(): void {
  memory.clear();
}

/** Drops every tuned tile, so each layer runs the default tiles again. */
export function clearTunedTiles(): void {
  tunedTiles.forward.clear();
  tunedTiles.filter.clear();
  tunedTiles.input.clear();
}

export function adapterKey(a: AdapterIdentity): string {
  return [a.vendor ?? '', a.architecture ?? '', a.description ?? ''].join('/');
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|basic render|warp/i;

export function isSoftwareAdapter(a: AdapterIdentity): boolean {
  return SOFTWARE.test(`${a.vendor ?? ''} ${a.architecture ?? ''} ${a.description ?? ''}`);
}

/** The tile configurations timed per layer: the default first, then shapes a GPU may prefer. */
export function defaultCandidates(): { forward: GemmTiles[]; filter: FilterGradTiles[]; input: GemmTiles[] } {
  const shapes: GemmTiles[] = [
    { tileM: 32, tileN: 32, tileK: 8, threadM: 4, threadN: 4, fit: true },
    { tileM: 64, tileN: 64, tileK: 8, threadM: 8, threadN: 8, fit: true },
    { tileM: 64, tileN: 64, tileK: 16, threadM: 4, threadN: 4, fit: true },
    { tileM: 128, tileN: 64, tileK: 8, threadM: 8, threadN: 4, fit: true },
    { tileM: 64, tileN: 32, tileK: 16, threadM: 8, threadN: 4, fit: true },
  ];
  return {
    filter: [filterGradTiles(), ...shapes.map((s) => ({ ...s, splitK: 'auto' as const }))],
    input: [inputGradTiles(), ...shapes],
    forward: [forwardTiles(), ...shapes],
  };
}

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/**
 * Runs `forward` and returns the geometry of every distinct NHWC conv2d it ran (their gradients
 * are the layers to tune), by wrapping the webgpu Conv2D and FusedConv2D kernels for the call.
 */
export function recordConvLayers(forward: () => void): ConvGeometry[] {
  const seen = new Map<string, ConvGeometry>();
  const originals = ['Conv2D', 'FusedConv2D'].map((name) => tf.getKernel(name, 'webgpu')).filter((k): k is tf.KernelConfig => k !== undefined);
  for (const original of originals) {
    tf.unregisterKernel(original.kernelName, 'webgpu');
    tf.registerKernel({
      ...original,
      kernelFunc: (params) => {
        const { x, filter } = params.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
        const attrs = params.attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat?: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; dilations?: number | [number, number] };
        const dilated = attrs.dilations !== undefined && [attrs.dilations].flat().some((d) => d !== 1);
        const g = dilated ? null : convGeometry(x.shape, filter.shape, attrs.strides, attrs.pad, attrs.dataFormat === 'NCHW' ? 'NCHW' : undefined, attrs.dimRoundingMode);
        if (g) seen.set(geometryKey(g), g);
        return original.kernelFunc(params);
      },
    });
  }
  try {
    forward();
  } finally {
    for (const original of originals) {
      tf.unregisterKernel(original.kernelName, 'webgpu');
      tf.registerKernel(original);
    }
  }
  return [...seen.values()];
}

export function backendAdapter(): AdapterIdentity {
  const info = (tf.backend() as unknown as { adapterInfo?: AdapterIdentity }).adapterInfo;
  return { vendor: info?.vendor, architecture: info?.architecture, description: info?.description };
}

function install(w: Winners): void {
  for (const [key, tiles] of Object.entries(w.forward)) tunedTiles.forward.set(key, tiles);
  for (const [key, tiles] of Object.entries(w.filter)) tunedTiles.filter.set(key, tiles);
  for (const [key, tiles] of Object.entries(w.input)) tunedTiles.input.set(key, tiles);
}

function reportOf(adapter: string, source: AutotuneReport['source'], w: Winners, layers: ConvGeometry[]): AutotuneReport {
  const keys = new Set(layers.map(geometryKey));
  return {
    adapter,
    source,
    layers: [
      ...Object.entries(w.forward).filter(([k]) => keys.has(k)).map(([key, tiles]) => ({ key, kernel: 'forward' as const, tiles })),
      ...Object.entries(w.filter).filter(([k]) => keys.has(k)).map(([key, tiles]) => ({ key, kernel: 'filter' as const, tiles })),
      ...Object.entries(w.input).filter(([k]) => keys.has(k)).map(([key, tiles]) => ({ key, kernel: 'input' as const, tiles })),
    ],
  };
}

/** Seeded values for one layer's tensors: timing needs no particular data. */
function layerTensors(g: ConvGeometry): { x: tf.Tensor; dy: tf.Tensor; filter: tf.Tensor } {
  return {
    x: tf.randomUniform(g.inShape, -1, 1, 'float32', 1),
    dy: tf.randomUniform(g.outShape, -1, 1, 'float32', 2),
    filter: tf.randomUniform(g.filterShape, -1, 1, 'float32', 3),
  };
}

/** Median ms of `reps` runs after one warm-up (which compiles the pipeline), each waited for. */
async function timeRuns(run: () => tf.TensorInfo, reps: number): Promise<number> {
  const once = async () => {
    const out = tf.engine().makeTensorFromTensorInfo(run());
    await out.data();
    out.dispose();
  };
  await once();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Chooses tiles per layer shape for the convolution and both its gradients on this adapter and installs them (the
 * overrides consult them before their defaults). Returns what it chose and where from.
 * Candidates are timed round-robin over the layers (every layer's first candidate, then every
 * layer's second, ...) until the kernel's budget is spent; a candidate's first run, which compiles
 * its pipeline, counts against the budget but not in its time.
 */
export async function autotuneConvGradients(layers: ConvGeometry[], options: AutotuneOptions = {}): Promise<AutotuneReport> {
  const identity = options.adapter ?? backendAdapter();
  const adapter = adapterKey(identity);
  if (tf.getBackend() !== 'webgpu') return { adapter, source: 'skipped', reason: `the backend is ${tf.getBackend()}, not webgpu`, layers: [] };
  if (isSoftwareAdapter(identity) && !options.force) return { adapter, source: 'skipped', reason: 'a software adapter: the default tiles stay', layers: [] };
  const keys = layers.map(geometryKey);
  // Winners kept before the forward pass was tuned have no `forward`: they do not cover, and are timed again.
  const covers = (w: Winners) => typeof w.forward === 'object' && keys.every((k) => k in w.forward && k in w.filter && k in w.input);

  const remembered = memory.get(adapter);
  if (remembered && covers(remembered)) {
    install(remembered);
    return reportOf(adapter, 'memory', remembered, layers);
  }
  const stored = options.cache ? await options.cache.get(CACHE_PREFIX + adapter) : undefined;
  if (stored) {
    try {
      const w = JSON.parse(stored) as Winners;
      if (w && typeof w.filter === 'object' && typeof w.input === 'object' && covers(w) && [...Object.values(w.forward), ...Object.values(w.filter), ...Object.values(w.input)].every((t) => !tilesProblem(t))) {
        memory.set(adapter, w);
        install(w);
        return reportOf(adapter, 'cache', w, layers);
      }
    } catch {
      // An unreadable entry is timed again and overwritten.
    }
  }

  const backend = tf.backend() as unknown as GemmBackend;
  const budget = options.budgetMs ?? 2000;
  const reps = options.reps ?? 3;
  const candidates = { ...defaultCandidates(), ...options.candidates };
  const winners: Winners = { forward: { ...remembered?.forward }, filter: { ...remembered?.filter }, input: { ...remembered?.input } };
  const report: AutotuneReport = { adapter, source: 'timed', layers: [] };
  const unique = [...new Map(layers.map((g) => [geometryKey(g), g])).values()];

  for (const kernel of TUNED_KERNELS) {
    const deadline = performance.now() + budget;
    // Round-robin over layers, one candidate each per round, so a short budget still covers every layer.
    const state = unique.map((g) => {
      const fitted = (candidates[kernel] as GemmTiles[]).map((t) => fitFor(g, t, kernel));
      const distinct = [...new Map(fitted.map((t) => [JSON.stringify(t), t])).values()].filter((t) => !tilesProblem(t));
      return { g, queue: distinct, timings: [] as { tiles: GemmTiles; ms: number }[] };
    });
    const tensors = new Map(state.map((s) => [geometryKey(s.g), layerTensors(s.g)]));
    try {
      for (let round = 0; state.some((s) => round < s.queue.length); round++) {
        for (const s of state) {
          if (round >= s.queue.length || performance.now() > deadline) continue;
          const tiles = s.queue[round];
          const t = tensors.get(geometryKey(s.g))!;
          const ms = await timeRuns(
            () =>
              kernel === 'filter'
                ? runFilterGrad(backend, t.x, t.dy, s.g, tiles as FilterGradTiles)
                : kernel === 'input'
                  ? runInputGrad(backend, t.dy, t.filter, s.g, tiles)
                  : runForward(backend, t.x, t.filter, s.g, tiles),
            reps,
          );
          s.timings.push({ tiles, ms });
        }
        if (performance.now() > deadline) break;
      }
    } finally {
      for (const t of tensors.values()) tf.dispose([t.x, t.dy, t.filter]);
    }
    for (const s of state) {
      // A layer the budget did not reach keeps the default tiles (the first candidate), untimed.
      const best = s.timings.length > 0 ? s.timings.reduce((a, b) => (b.ms < a.ms ? b : a)) : { tiles: s.queue[0] };
      const key = geometryKey(s.g);
      if (kernel === 'filter') winners.filter[key] = best.tiles as FilterGradTiles;
      else winners[kernel][key] = best.tiles;
      report.layers.push({ key, kernel, tiles: best.tiles, timings: s.timings });
    }
  }
  memory.set(adapter, winners);
  install(winners);
  if (options.cache) await options.cache.set(CACHE_PREFIX + adapter, JSON.stringify(winners));
  return report;
}

/**
 * A candidate as one layer runs it: fitted to the layer's M × N, and for the filter gradient with
 * its split count made explicit, so a winner replays exactly what was timed.
 */
function fitFor(g: ConvGeometry, tiles: GemmTiles | FilterGradTiles, kernel: TunedKernel): GemmTiles | FilterGradTiles {
  if (kernel === 'input') return { ...fitInputTiles(g, tiles), fit: false };
  if (kernel === 'forward') return { ...fitForwardTiles(g, tiles), fit: false };
  const fitted = fitFilterTiles(g, { splitK: 'auto', ...tiles } as FilterGradTiles);
  return { ...fitted, fit: false, splitK: planFilterGemm(g, fitted).splits };
}
