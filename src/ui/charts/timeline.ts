import * as d3 from 'd3';
import type { Trial } from '../../lib/job';
import { markStatus, type MarkStatus } from './status';

/**
 * The worker lane of each started trial (0-based), by trial number: `slots` lanes at most (the
 * job's maxParallelJobs), one per pool slot.
 *
 * The pool numbers its workers 1, 2, … and a worker that crashed, lost its GPU or was
 * hard-stopped is replaced by one with a new id, so ids alone do not name slots. Lanes are
 * derived from times instead: trials are placed in the order they started, and a trial goes to
 * a lane that is free (its previous trial ended at or before this one started), which is the
 * slot the pool ran it in:
 * 1. the free lane whose last trial ran on the same worker (a worker keeps its slot);
 * 2. else a lane not used yet (the pool filling up): lane k for worker k when that one is
 *    unused, so that without replacements slot k is worker k, else the first unused lane;
 * 3. else the free lane whose trial ended last: the end that made room for this trial, so a
 *    replacement worker takes its predecessor's lane;
 * 4. else (times that overlap by a clock tick) the lane that frees first, so never more than
 *    `slots` lanes.
 */
export function assignLanes(trials: readonly Trial[], slots: number): Map<number, number> {
  const started = trials.filter((t) => t.startedAt !== undefined).sort((a, b) => a.startedAt! - b.startedAt! || a.number - b.number);
  const lanes: ({ end: number; workerId?: number } | undefined)[] = Array.from({ length: Math.max(1, slots) }, () => undefined);
  const assigned = new Map<number, number>();
  for (const trial of started) {
    const start = trial.startedAt!;
    const used = lanes.flatMap((lane, index) => (lane ? [{ lane, index }] : []));
    const free = used.filter(({ lane }) => lane.end <= start);
    let pick = free.find(({ lane }) => trial.workerId !== undefined && lane.workerId === trial.workerId)?.index;
    if (pick === undefined) {
      const own = trial.workerId === undefined ? -1 : trial.workerId - 1;
      pick = own >= 0 && own < lanes.length && !lanes[own] ? own : lanes.findIndex((lane) => !lane);
      if (pick < 0) pick = undefined;
    }
    if (pick === undefined && free.length > 0) pick = free.reduce((a, b) => (b.lane.end > a.lane.end ? b : a)).index;
    pick ??= used.reduce((a, b) => (b.lane.end < a.lane.end ? b : a)).index;
    lanes[pick] = { end: trial.endedAt ?? Infinity, workerId: trial.workerId };
    assigned.set(trial.number, pick);
  }
  return assigned;
}

/**
 * Each lane's label: `Slot k` for the page's own pool, or, on a NATS job, the names of the remote
 * workers whose trials ran in that lane (a worker keeps its lane while it can, so usually one).
 */
export function laneLabels(bars: readonly TimelineBar[], slots: number): string[] {
  return Array.from({ length: Math.max(1, slots) }, (_, lane) => {
    const names = [...new Set(bars.filter((bar) => bar.lane === lane && bar.trial.worker).map((bar) => bar.trial.worker!))];
    return names.length > 0 ? names.join(', ') : `Slot ${lane + 1}`;
  });
}

/** A trial's bar in the worker lanes: from its start to its end, or to now while it runs. */
export interface TimelineBar {
  trial: Trial;
  lane: number;
  start: number;
  end: number;
  status: MarkStatus;
}

/** One bar per started trial; pending trials have none. */
export function timelineBars(trials: readonly Trial[], slots: number, now: number): TimelineBar[] {
  const lanes = assignLanes(trials, slots);
  return trials.flatMap((trial) => {
    const lane = lanes.get(trial.number);
    const status = markStatus(trial);
    if (lane === undefined || status === undefined) return [];
    return [{ trial, lane, start: trial.startedAt!, end: Math.max(trial.startedAt!, trial.endedAt ?? now), status }];
  });
}

/** A finished trial's objective at its end time. */
export interface ObjectivePoint {
  trial: Trial;
  time: number;
  value: number;
  status: MarkStatus;
}

/** Every finished trial with an objective (completed, or stopped with the value it reached). */
export function objectivePoints(trials: readonly Trial[]): ObjectivePoint[] {
  return trials.flatMap((trial) => {
    const status = markStatus(trial);
    if (trial.endedAt === undefined || trial.objective === undefined || status === undefined || status === 'running') return [];
    return [{ trial, time: trial.endedAt, value: trial.objective, status }];
  });
}

/** The time axis: from the job's start to now, or to the last end if a clock read lags it. */
export function timeDomain(trials: readonly Trial[], startedAt: number, now: number): [Date, Date] {
  let end = Math.max(now, startedAt + 1000);
  for (const trial of trials) if (trial.endedAt !== undefined) end = Math.max(end, trial.endedAt);
  return [new Date(startedAt), new Date(end)];
}

/**
 * The time axis's ticks: about `count` of d3's, but never finer than a second, since the labels
 * are clock times to the second (half-second ticks would print each second twice).
 */
export function timeTicks(domain: [Date, Date], count: number): Date[] {
  return d3
    .scaleTime()
    .domain(domain)
    .ticks(count)
    .filter((tick) => tick.getMilliseconds() === 0);
}
