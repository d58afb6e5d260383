/**
 * The Bayesian strategy's search variants both tuner benches take as flags, for the ablations
 * in docs/PERFORMANCE.md (issue 13): whether the strategy knows the run's budget (`maxTrials`),
 * what it runs, and for how long, when it exploits the end of that budget, the acquisition
 * under noise, and the local search under noise (`--local-*`: `localEvery`, `localShare`,
 * `localAcquisition`, `trustRegion`). Also the kernel of Hyperband's sampling GP, which the
 * fidelity and latency benches take.
 */
import { UsageError, type FlagSpecs, type FlagValues } from '../../src/cli/args';
import type { BayesianOptions } from '../../src/lib/tuner/bayesian';
import { FIDELITY_KERNELS, type FidelityKernel } from '../../src/lib/tuner/fidelity';

/** `--<name> feature|curve|sum`: how the budget enters Hyperband's GP (`fidelityKernel`). */
export function kernelFlag(name: string, text: string): FidelityKernel {
  if (!(FIDELITY_KERNELS as readonly string[]).includes(text)) throw new UsageError('invalid', `--${name} takes ${FIDELITY_KERNELS.join(' or ')}, got "${text}".`);
  return text as FidelityKernel;
}

export const VARIANT_USAGE = '[--budget on|off] [--exploit alternate|minimizer] [--exploit-share F] [--acquisition ei|nei] [--local-every N] [--local-share F] [--local-kappa K] [--local-acquisition ei|thompson] [--local-shell on|off]';

export const variantFlags: FlagSpecs = {
  budget: { type: 'string' },
  exploit: { type: 'string' },
  'exploit-share': { type: 'string' },
  acquisition: { type: 'string' },
  'local-every': { type: 'string' },
  'local-share': { type: 'string' },
  'local-kappa': { type: 'string' },
  'local-acquisition': { type: 'string' },
  'local-shell': { type: 'string' },
};

/** The options the flags ask for, and whether the function's budget is passed (`--budget`, default on). */
export function variantOptions(values: FlagValues): { options: Partial<BayesianOptions>; budget: boolean } {
  const text = (name: string) => values[name] as string | undefined;
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const v = text(name);
    if (v !== undefined && !(allowed as readonly string[]).includes(v)) throw new UsageError('invalid', `--${name} must be ${allowed.join(' or ')}, got "${v}".`);
    return v as T | undefined;
  };
  const budget = oneOf('budget', ['on', 'off'] as const) ?? 'on';
  const exploit = oneOf('exploit', ['alternate', 'minimizer'] as const);
  const acquisition = oneOf('acquisition', ['ei', 'nei'] as const);
  const localAcquisition = oneOf('local-acquisition', ['ei', 'thompson'] as const);
  const shell = oneOf('local-shell', ['on', 'off'] as const);
  const shareText = text('exploit-share');
  const share = shareText === undefined ? undefined : Number(shareText);
  if (share !== undefined && !(share >= 0 && share <= 1)) throw new UsageError('invalid', `--exploit-share must be a number from 0 to 1, got "${shareText}".`);
  const number = (name: string, valid: (v: number) => boolean, what: string): number | undefined => {
    const t = text(name);
    if (t === undefined) return undefined;
    const v = Number(t);
    if (!valid(v)) throw new UsageError('invalid', `--${name} must be ${what}, got "${t}".`);
    return v;
  };
  const localEvery = number('local-every', (v) => Number.isInteger(v) && v >= 0, 'a whole number of at least 0');
  const localShare = number('local-share', (v) => v >= 0 && v <= 1, 'a number from 0 to 1');
  const kappa = number('local-kappa', (v) => v >= 0, 'a number of at least 0');
  return {
    budget: budget === 'on',
    options: {
      ...(exploit !== undefined ? { exploit } : {}),
      ...(acquisition !== undefined ? { noisyAcquisition: acquisition } : {}),
      ...(share !== undefined ? { exploitShare: share } : {}),
      ...(localEvery !== undefined ? { localEvery } : {}),
      ...(localShare !== undefined ? { localShare } : {}),
      ...(localAcquisition !== undefined ? { localAcquisition } : {}),
      ...(kappa !== undefined || shell !== undefined ? { trustRegion: { ...(kappa !== undefined ? { kappa } : {}), ...(shell !== undefined ? { shell: shell === 'on' } : {}) } } : {}),
    },
  };
}
