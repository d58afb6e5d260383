import { validateSpace, type FieldError, type SearchSpace } from '../space';
import { paramsError } from '../space';
import { createStrategy } from './index';
import type { HyperbandSuggestion } from './hyperband';
import { MedianStoppingRule } from './stopping';
import type { Goal, Strategy, StrategyName } from './types';

/**
 * The ask/tell protocol of the tuner CLI, one JSON object per line in and out, kept apart
 * from any I/O so it can be tested in-process and reused by anything that speaks lines.
 */

export interface TuningProblem {
  space: SearchSpace;
  goal: Goal;
  metric?: string;
}

/**
 * Reads the objective and parameters of a job definition. Other fields of the page's job
 * format (version, metricDefinitions, fixed, strategy, maxJobs, …) are ignored.
 */
export function parseTuningProblem(raw: unknown): { problem: TuningProblem | null; errors: FieldError[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { problem: null, errors: [{ path: '', message: 'The file must hold a JSON object with "objective" and "parameters".' }] };
  }
  const record = raw as Record<string, unknown>;
  const errors: FieldError[] = [];
  const objective = record.objective;
  let goal: Goal | null = null;
  let metric: string | undefined;
  if (typeof objective !== 'object' || objective === null || Array.isArray(objective)) {
    errors.push({ path: 'objective', message: 'Add an "objective" object with "metric" and "goal".' });
  } else {
    const o = objective as Record<string, unknown>;
    if (o.goal === 'minimize' || o.goal === 'maximize') goal = o.goal;
    else errors.push({ path: 'objective.goal', message: 'The goal must be "minimize" or "maximize".' });
    if (o.metric !== undefined && typeof o.metric !== 'string') errors.push({ path: 'objective.metric', message: 'The metric must be a string.' });
    else metric = o.metric as string | undefined;
  }
  const { space, errors: spaceErrors } = validateSpace(record.parameters, 'parameters');
  errors.push(...spaceErrors);
  if (errors.length > 0 || goal === null) return { problem: null, errors };
  return { problem: { space, goal, metric }, errors };
}

export interface SessionOptions {
  problem: TuningProblem;
  strategy: StrategyName;
  seed: number;
  gridPoints?: number;
  /** Hyperband only: η and the budget range when the space has no `epochs` range. */
  eta?: number;
  minEpochs?: number;
  maxEpochs?: number;
  /** The number of trials the harness will ask for, when known (`StrategyOptions.maxTrials`). */
  maxTrials?: number;
}

const MAX_ASK = 1000;

export class TunerSession {
  private readonly strategy: Strategy;
  private readonly stopping: MedianStoppingRule;
  private readonly pending = new Set<string>();

  constructor(private readonly options: SessionOptions) {
    const { space, goal } = options.problem;
    const { seed, gridPoints, eta, minEpochs, maxEpochs, maxTrials } = options;
    this.strategy = createStrategy(options.strategy, { space, goal, seed, gridPoints, eta, minEpochs, maxEpochs, maxTrials });
    this.stopping = new MedianStoppingRule({ goal });
  }

  /** One request line to one response object (never throws). */
  handle(line: string): Record<string, unknown> {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return { error: 'Malformed line: expected one JSON object such as {"ask": 1}.' };
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return { error: 'Each line must be a JSON object with one of "ask", "tell", "report" or "recommend".' };
    }
    const request = message as Record<string, unknown>;
    try {
      if ('ask' in request) return this.ask(request.ask);
      if ('tell' in request) return this.tell(request.tell);
      if ('report' in request) return this.report(request.report);
      if ('recommend' in request) return this.recommend(request.recommend);
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
    return { error: `Unknown request: expected "ask", "tell", "report" or "recommend", got ${JSON.stringify(Object.keys(request))}.` };
  }

  private ask(count: unknown): Record<string, unknown> {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_ASK) {
      return { error: `"ask" needs a whole number of trials from 0 to ${MAX_ASK}.` };
    }
    const trials = this.strategy.ask(count);
    for (const trial of trials) this.pending.add(trial.id);
    // A Hyperband trial also says its rung and budget (`epochs`, which its params carry too).
    return {
      trials: trials.map((t) => {
        const rung = t as Partial<HyperbandSuggestion>;
        return rung.rung === undefined ? { id: t.id, params: t.params } : { id: t.id, params: t.params, epochs: rung.epochs, rung: rung.rung };
      }),
    };
  }

  private tell(body: unknown): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { error: '"tell" needs an object: {"id", "value"}, {"id", "failed": true} or {"params", "value"}.' };
    }
    const tell = body as Record<string, unknown>;
    if (tell.id !== undefined) {
      if (typeof tell.id !== 'string') return { error: 'The trial "id" must be a string.' };
      if (!this.pending.has(tell.id)) return { error: `Unknown trial id "${tell.id}" (never asked, or already told).` };
      if (tell.failed === true) {
        this.strategy.tell(tell.id, { failed: true });
        this.stopping.discard(tell.id);
      } else {
        if (typeof tell.value !== 'number' || !Number.isFinite(tell.value)) {
          return { error: 'A "tell" needs a finite numeric "value" (or "failed": true).' };
        }
        this.strategy.tell(tell.id, { value: tell.value });
        this.stopping.complete(tell.id);
      }
      this.pending.delete(tell.id);
      return { ok: true };
    }
    if (tell.params === undefined) return { error: 'A "tell" needs an "id", or "params" for an earlier observation.' };
    const problem = paramsError(this.options.problem.space, tell.params);
    if (problem) return { error: `Invalid params: ${problem}` };
    if (typeof tell.value !== 'number' || !Number.isFinite(tell.value)) return { error: 'A "tell" needs a finite numeric "value".' };
    this.strategy.observe(tell.params as Record<string, string | number>, tell.value);
    return { ok: true };
  }

  /**
   * The configuration the strategy recommends (docs/TUNER.md, Recommendation). Before any
   * result every field is null and `runs` is 0; `mean` and `sd` are null when the
   * recommendation is the best observed one (random, grid, or fewer than 2 results).
   */
  private recommend(body: unknown): Record<string, unknown> {
    if (body !== true) return { error: '"recommend" takes true: {"recommend": true}.' };
    const r = this.strategy.recommend();
    if (!r) return { params: null, mean: null, sd: null, observed: null, id: null, runs: 0, basis: null };
    return { params: r.params, mean: r.mean, sd: r.sd, observed: r.observed, id: r.id, runs: r.runs, basis: r.basis };
  }

  private report(body: unknown): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { error: '"report" needs an object {"id", "step", "value"}.' };
    }
    const { id, step, value } = body as Record<string, unknown>;
    if (typeof id !== 'string' || !this.pending.has(id)) return { error: `Unknown trial id ${JSON.stringify(id)} (not a running trial).` };
    if (typeof step !== 'number' || !Number.isFinite(step)) return { error: 'A "report" needs a numeric "step".' };
    if (typeof value !== 'number' || !Number.isFinite(value)) return { error: 'A "report" needs a finite numeric "value".' };
    return { stop: this.stopping.report(id, step, value) };
  }
}
