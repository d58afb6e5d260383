import * as d3 from 'd3';
import type { Trial, TrialStatus } from '../../lib/job';

export const STATUS_COLOURS: Record<TrialStatus, string> = {
  pending: '#9aa0a6',
  running: '#1a73e8',
  completed: '#188038',
  failed: '#d93025',
  stopped: '#f29900',
};

/** One mark per trial: where it sits on the timeline. Pure data, for the renderer and for tests. */
export interface TimelinePoint {
  trial: Trial;
  /** Seconds since the job started: when the trial ended, or now while it runs. */
  seconds: number;
  /** The objective, or undefined for trials with none (drawn on the "no value" lane). */
  value?: number;
}

export function timelinePoints(trials: Trial[], startedAt: number, now: number): TimelinePoint[] {
  return trials.map((trial) => ({
    trial,
    seconds: Math.max(0, ((trial.endedAt ?? now) - startedAt) / 1000),
    value: trial.objective,
  }));
}

export interface TimelineOptions {
  width: number;
  height: number;
  metric: string;
  onHover(point: TimelinePoint | undefined, event?: MouseEvent): void;
}

const MARGIN = { top: 12, right: 16, bottom: 40, left: 72 };
const NO_VALUE_LANE = 22;

/** Draws (or redraws, keyed by trial id) the timeline into an <svg>. */
export function renderTimeline(svgElement: SVGSVGElement, points: TimelinePoint[], options: TimelineOptions): void {
  const { width, height } = options;
  const svg = d3.select(svgElement).attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);
  const plotBottom = height - MARGIN.bottom - NO_VALUE_LANE;

  const maxSeconds = d3.max(points, (p) => p.seconds) ?? 0;
  const x = d3.scaleLinear().domain([0, Math.max(1, maxSeconds) * 1.05]).range([MARGIN.left, width - MARGIN.right]).nice();
  const values = points.flatMap((p) => (p.value === undefined ? [] : [p.value]));
  const [lo, hi] = d3.extent(values);
  const pad = lo === undefined || hi === undefined ? 0.5 : Math.max((hi - lo) * 0.1, 0.01);
  const y = d3
    .scaleLinear()
    .domain(lo === undefined || hi === undefined ? [0, 1] : [lo - pad, hi + pad])
    .range([plotBottom, MARGIN.top])
    .nice();

  const axes = svg.selectAll<SVGGElement, null>('g.axes').data([null]).join('g').attr('class', 'axes');
  axes
    .selectAll<SVGGElement, null>('g.x-axis')
    .data([null])
    .join('g')
    .attr('class', 'x-axis')
    .attr('transform', `translate(0,${height - MARGIN.bottom})`)
    .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 90))));
  axes
    .selectAll<SVGGElement, null>('g.y-axis')
    .data([null])
    .join('g')
    .attr('class', 'y-axis')
    .attr('transform', `translate(${MARGIN.left},0)`)
    .call(d3.axisLeft(y).ticks(5));
  axes
    .selectAll<SVGTextElement, string>('text.x-label')
    .data(['Seconds since the job started'])
    .join('text')
    .attr('class', 'x-label')
    .attr('x', (MARGIN.left + width - MARGIN.right) / 2)
    .attr('y', height - 6)
    .attr('text-anchor', 'middle')
    .text((d) => d);
  axes
    .selectAll<SVGTextElement, string>('text.y-label')
    .data([options.metric])
    .join('text')
    .attr('class', 'y-label')
    .attr('transform', `translate(16,${(MARGIN.top + plotBottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text((d) => d);
  axes
    .selectAll<SVGTextElement, string>('text.lane-label')
    .data(['no value'])
    .join('text')
    .attr('class', 'lane-label')
    .attr('x', MARGIN.left - 6)
    .attr('y', height - MARGIN.bottom - NO_VALUE_LANE / 2 + 4)
    .attr('text-anchor', 'end')
    .text((d) => d);

  const cy = (p: TimelinePoint) => (p.value === undefined ? height - MARGIN.bottom - NO_VALUE_LANE / 2 : y(p.value));
  svg
    .selectAll<SVGGElement, null>('g.marks')
    .data([null])
    .join('g')
    .attr('class', 'marks')
    .selectAll<SVGCircleElement, TimelinePoint>('circle.trial-mark')
    .data(points, (p) => p.trial.id)
    .join('circle')
    .attr('class', 'trial-mark')
    .attr('data-trial', (p) => p.trial.number)
    .attr('data-status', (p) => p.trial.status)
    .attr('data-value', (p) => p.value ?? '')
    .attr('r', 6)
    .attr('cx', (p) => x(p.seconds))
    .attr('cy', cy)
    .style('fill', (p) => (p.trial.status === 'running' ? 'var(--surface)' : STATUS_COLOURS[p.trial.status]))
    .attr('stroke', (p) => STATUS_COLOURS[p.trial.status])
    .attr('stroke-width', 2)
    .on('mouseenter', (event: MouseEvent, p) => options.onHover(p, event))
    .on('mouseleave', () => options.onHover(undefined));
}
