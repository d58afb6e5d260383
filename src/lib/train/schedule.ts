/** The one-cycle shape of Smith's super-convergence and Page's DAWNBench runs. */
export interface OneCycle {
  peakLr: number;
  /** Fraction of the steps spent rising to the peak. */
  warmup: number;
  startFactor: number;
  endFactor: number;
  /** The momentum while the lr is low. */
  momentum: number;
  /** Momentum falls by this much as the lr rises to its peak, and climbs back as it anneals. */
  momentumCycle: number;
}

/**
 * The lr and momentum for step `step` (0-based) of `totalSteps`. Each step is placed at the middle
 * of its slice of the run, so that neither the first nor the last step gets a zero learning rate
 * when the schedule starts or ends at zero.
 */
export function scheduleAt(step: number, totalSteps: number, cycle: OneCycle): { lr: number; momentum: number } {
  const t = (step + 0.5) / totalSteps;
  const rise = t < cycle.warmup ? t / cycle.warmup : cycle.warmup >= 1 ? 1 : (1 - t) / (1 - cycle.warmup);
  const floor = t < cycle.warmup ? cycle.startFactor : cycle.endFactor;
  return {
    lr: cycle.peakLr * (floor + (1 - floor) * rise),
    momentum: cycle.momentum - cycle.momentumCycle * rise,
  };
}
