/**
 * The one entry of the GPU machine's bundle (.gpu/run.mjs, built by scripts/gpu-pack.mjs), usable
 * here through tsx too. One bundle holds every mode, so the machine needs nothing but Node and Dawn:
 *   run gpu [flags]           the one-shot GPU benchmark (gpu-bench.ts; the default mode)
 *   run bench -- [flags]      npm run bench:train's Node path (bench/train/throughput.ts)
 *   run train -- [flags]      npm run train (src/cli/train.ts)
 */
const given = process.argv.slice(2);
// Flags alone (gpu-run.sh --allow-software …) mean the default mode.
const [mode, ...rest] = given.length === 0 || given[0].startsWith('-') ? ['gpu', ...given] : given;
const args = rest[0] === '--' ? rest.slice(1) : rest;
// The bench and train scripts read their flags from process.argv, as they do under npm run.
process.argv.splice(2, process.argv.length - 2, ...args);

// Each mode is imported only when chosen: bench and train start tfjs and Dawn as they load.
switch (mode) {
  case 'gpu': {
    const { runGpuBench } = await import('./gpu-bench');
    process.exit(await runGpuBench(args));
    break;
  }
  case 'bench':
    await import('../train/throughput');
    break;
  case 'train':
    await import('../../src/cli/train');
    break;
  default:
    console.error(`run: unknown mode "${mode}"; modes: gpu [flags], bench -- [bench:train flags], train -- [train flags]`);
    process.exit(2);
}

export {};
