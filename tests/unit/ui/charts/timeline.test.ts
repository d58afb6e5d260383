import { describe, expect, it } from 'vitest';
import { assignLanes, laneLabels, objectivePoints, timelineBars, timeTicks } from '../../../../src/ui/charts/timeline';
import { bestSoFar, bestTrial } from '../../../../src/ui/charts/best';
import { markStatus } from '../../../../src/ui/charts/status';
import { trial } from '../trials';

const lanesOf = (map: Map<number, number>) => Object.fromEntries(map);

describe('assignLanes', () => {
  it('keeps each worker in its lane, in start order', () => {
    const trials = [
      trial(1, { startedAt: 0, endedAt: 10, workerId: 1 }),
      trial(2, { startedAt: 1, endedAt: 5, workerId: 2 }),
      trial(3, { startedAt: 6, endedAt: 20, workerId: 2 }),
      trial(4, { startedAt: 11, endedAt: 15, workerId: 1 }),
    ];
    expect(lanesOf(assignLanes(trials, 2))).toEqual({ 1: 0, 2: 1, 3: 1, 4: 0 });
  });

  it('puts a replacement worker (a new id) in the lane of the trial whose end made room for it', () => {
    // Worker 1 crashes on trial 1 at t=4; worker 3 replaces it and runs trial 3 in slot 1.
    const trials = [
      trial(1, { startedAt: 0, endedAt: 4, workerId: 1, status: 'failed' }),
      trial(2, { startedAt: 0, endedAt: 9, workerId: 2 }),
      trial(3, { startedAt: 5, endedAt: 12, workerId: 3 }),
      trial(4, { startedAt: 10, workerId: 2, status: 'running' }),
    ];
    expect(lanesOf(assignLanes(trials, 2))).toEqual({ 1: 0, 2: 1, 3: 0, 4: 1 });
  });

  it('puts worker k in slot k while the pool fills up, whichever starts first', () => {
    const trials = [trial(1, { startedAt: 2, endedAt: 9, workerId: 1 }), trial(2, { startedAt: 1, endedAt: 9, workerId: 2 })];
    expect(lanesOf(assignLanes(trials, 2))).toEqual({ 1: 0, 2: 1 });
  });

  it('when two lanes are free, a new worker takes the one freed last', () => {
    const trials = [
      trial(1, { startedAt: 0, endedAt: 3, workerId: 1 }),
      trial(2, { startedAt: 0, endedAt: 6, workerId: 2 }),
      trial(3, { startedAt: 7, endedAt: 9, workerId: 3 }),
    ];
    expect(assignLanes(trials, 2).get(3)).toBe(1);
  });

  it('never opens more than maxParallelJobs lanes, even when recorded times overlap', () => {
    const trials = [
      trial(1, { startedAt: 0, endedAt: 10, workerId: 1 }),
      trial(2, { startedAt: 0, endedAt: 10, workerId: 2 }),
      // Started a clock tick before trial 1's end was recorded.
      trial(3, { startedAt: 9, endedAt: 15, workerId: 3 }),
    ];
    const lanes = assignLanes(trials, 2);
    expect(new Set(lanes.values()).size).toBe(2);
    expect(lanes.get(3)).toBe(0);
  });

  it('works without worker ids, from times alone', () => {
    const trials = [1, 2, 3, 4, 5, 6].map((n) => trial(n, { startedAt: Math.floor((n - 1) / 2) * 10, endedAt: Math.floor((n - 1) / 2) * 10 + 10 }));
    const lanes = assignLanes(trials, 2);
    expect(new Set(lanes.values())).toEqual(new Set([0, 1]));
  });
});

describe('timelineBars and objectivePoints', () => {
  const trials = [
    trial(1, { startedAt: 0, endedAt: 10, objective: 0.5, workerId: 1 }),
    trial(2, { startedAt: 0, status: 'running', objective: 0.2, workerId: 2 }),
    trial(3, { status: 'pending' }),
    trial(4, { startedAt: 10, endedAt: 12, status: 'stopped', stoppedBy: 'rule', objective: 0.1, workerId: 1 }),
    trial(5, { startedAt: 12, endedAt: 13, status: 'failed', workerId: 1 }),
  ];

  it('draws a bar per started trial, up to now while it runs; none for pending trials', () => {
    const bars = timelineBars(trials, 2, 30);
    expect(bars.map((b) => [b.trial.number, b.lane, b.start, b.end, b.status])).toEqual([
      [1, 0, 0, 10, 'completed'],
      [2, 1, 0, 30, 'running'],
      [4, 0, 10, 12, 'stopped-rule'],
      [5, 0, 12, 13, 'failed'],
    ]);
  });

  it('plots finished trials with an objective at their end', () => {
    expect(objectivePoints(trials).map((p) => [p.trial.number, p.time, p.value])).toEqual([
      [1, 10, 0.5],
      [4, 12, 0.1],
    ]);
  });

  it('tells the five outcomes apart', () => {
    expect(markStatus(trial(1, { status: 'stopped', stoppedBy: 'user' }))).toBe('stopped-user');
    expect(markStatus(trial(1, { status: 'stopped', stoppedBy: 'rule' }))).toBe('stopped-rule');
    expect(markStatus(trial(1, { status: 'stopped' }))).toBe('failed');
    expect(markStatus(trial(1, { status: 'pending' }))).toBeUndefined();
  });
});

describe('laneLabels', () => {
  it('names lanes Slot k for the page\'s pool, and by the remote workers that ran in them on a NATS job', () => {
    const local = [trial(1, { startedAt: 0, endedAt: 5, workerId: 1 }), trial(2, { startedAt: 0, endedAt: 5, workerId: 2 })];
    expect(laneLabels(timelineBars(local, 2, 10), 2)).toEqual(['Slot 1', 'Slot 2']);
    const remote = [
      trial(1, { startedAt: 0, endedAt: 5, workerId: 1, worker: 'gpu-box' }),
      trial(2, { startedAt: 1, endedAt: 6, workerId: 2, worker: 'laptop-tab' }),
      trial(3, { startedAt: 5, endedAt: 9, workerId: 1, worker: 'gpu-box' }),
    ];
    expect(laneLabels(timelineBars(remote, 3, 10), 3)).toEqual(['gpu-box', 'laptop-tab', 'Slot 3']);
  });
});

describe('best so far', () => {
  const trials = [
    trial(1, { endedAt: 5, objective: 0.5 }),
    trial(2, { endedAt: 3, objective: 0.4 }),
    trial(3, { endedAt: 8, objective: 0.3 }),
    trial(4, { endedAt: 9, objective: 0.9, status: 'stopped', stoppedBy: 'rule' }),
    trial(5, { endedAt: 10, objective: 0.7 }),
    trial(6, { status: 'running', objective: 0.99 }),
  ];

  it('steps up at each improvement when maximizing, in order of end time', () => {
    expect(bestSoFar(trials, 'maximize')).toEqual([
      { time: 3, value: 0.4, trial: 2 },
      { time: 5, value: 0.5, trial: 1 },
      { time: 10, value: 0.7, trial: 5 },
    ]);
    expect(bestTrial(trials, 'maximize')?.number).toBe(5);
  });

  it('steps down when minimizing', () => {
    expect(bestSoFar(trials, 'minimize')).toEqual([
      { time: 3, value: 0.4, trial: 2 },
      { time: 8, value: 0.3, trial: 3 },
    ]);
    expect(bestTrial(trials, 'minimize')?.number).toBe(3);
  });
});

describe('timeTicks', () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + seconds * 1000);
  const label = (d: Date) => d.toISOString().slice(11, 19);

  it('never gives two ticks within one second, so the clock labels do not repeat', () => {
    // 3.4 s across a wide chart: d3 alone would tick every half second.
    const ticks = timeTicks([at(0.3), at(3.7)], 8);
    expect(ticks.map(label)).toEqual(['12:00:01', '12:00:02', '12:00:03']);
    expect(new Set(ticks.map(label)).size).toBe(ticks.length);
  });

  it('keeps d3 ticks coarser than a second as they are', () => {
    const ticks = timeTicks([at(0), at(120)], 5);
    expect(ticks.map(label)).toEqual(['12:00:00', '12:00:30', '12:01:00', '12:01:30', '12:02:00']);
  });

  it('gives at least one tick for the shortest domain the timeline draws (one second)', () => {
    expect(timeTicks([at(0.5), at(1.5)], 6).map(label)).toEqual(['12:00:01']);
  });
});
