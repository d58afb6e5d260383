import type { JobDefinition } from '../config';
import { MetricTracker } from '../metrics';
import { readTrialLine } from './trial-log';
import { fullBudgetRuns, isExtraTrial } from './trial-counts';
import { paramsError, paramsKey, type Params } from '../space';
import { MedianStoppingRule } from '../tuner/stopping';
import type { StrategyClient } from '../tuner/types';
import { hasJobEnded, isFinishedTrial, observedObjective, type ExtraMark, type JobEvent, type JobStatus, type StopMode, type StoppedBy, type Trial, type TrialBus, type TrialRunResult, type TrialSpec } from './types';

export interface RunnerOptions {
  now?: () => number;
  /** Results of an earlier job, given to the strategy before its first ask. */
  warmStart?: WarmStartObservation[];
  /**
   * Awaited after a trial has ended and before the strategy is told of it: where a store commits
   * the trial, so that a result the tuner has acted on is never lost. A rejection is the store's
   * own business (it reports storage trouble itself); the job goes on.
   */
  beforeTell?: (trial: Trial) => Promise<void>;
  /** Running time spent before this run (a resumed job), counted against the time budget. */
  priorRuntimeMs?: number;
  /** The trials of an earlier run of this job, as a store kept them: the runner goes on from them (see `ResumeState`). */
  resume?: ResumeState;
}

/**
 * An earlier run of the same job. Finished trials (completed, stopped, failed) are kept as they
 * are, in `trials`, and the strategy hears of them before its first ask: a completed trial, or one
 * the median rule stopped after it reached a value, as an observation of its objective; any other
 * as a failed point (`observe(params, NaN)`). Their objective curves rebuild the median rule.
 * Trials that had not finished (running or pending when the page went away) are interrupted: each
 * runs again with its hyperparameters as a new trial with the next number (so a new seed),
 * registered with the strategy and ahead of new suggestions; the interrupted run itself is not
 * kept. Earlier trials get the id `earlier-<number>`, as the ids of the tuner that proposed them
 * mean nothing to the new one and would collide with its own. Numbering, seeds, the best so far, completion criteria and max jobs all count the earlier
 * trials (an interrupted suggestion's rerun spends the suggestion it was, not a new one).
 */
export interface ResumeState {
  trials: Trial[];
  /**
   * The bus still holds the unfinished trials (a NATS job taken over from another coordinator):
   * each keeps its number, seed and attempt and is run on the bus again, which attaches to the
   * trial where it is (queued or on a worker) instead of training it a second time.
   */
  adopt?: boolean;
}

/**
 * Under Hyperband, max jobs counts full-budget completions; all suggestions together stop at this
 * many times max jobs. A cycle of its brackets runs about 6 configurations per full-budget run at
 * η = 3 (49 new ones and their promotions for 8 full runs at 1–27 epochs), so 30× is reached
 * only when full-budget runs keep failing.
 */
export const HYPERBAND_SUGGESTION_CAP = 30;

export interface WarmStartObservation {
  params: Trial['params'];
  value: number;
}

export interface EnqueueOptions {
  /** The number of the trial these hyperparameters repeat; recorded as the new trial's `rerunOf`. */
  rerunOf?: number;
}

/**
 * Owns a tuning job's state machine: asks the strategy for trials, keeps at most
 * maxParallelJobs running and at most maxJobs suggestions in all, runs the trials the page
 * enqueues (re-runs, and hyperparameters the user typed in) ahead of new suggestions, reads each trial's objective from its log lines
 * (and the engine's epochs, final line and resolved hyperparameters), tells the strategy the
 * outcome, and handles stops and failures.
 */
export class JobRunner {
  readonly trials: Trial[] = [];
  status: JobStatus = 'idle';
  message?: string;

  private readonly listeners = new Set<(event: JobEvent) => void>();
  private readonly now: () => number;
  private readonly warmStart: WarmStartObservation[];
  private readonly beforeTell?: (trial: Trial) => Promise<void>;
  private readonly priorRuntimeMs: number;
  private runStartedAt?: number;
  private runEndedAt?: number;
  private budgetTimer?: ReturnType<typeof setTimeout>;
  /** Set when a completion criterion is met: the job winds down and ends `completed` with this reason. */
  private ending?: string;
  private pumping = false;
  private pumpAgain = false;
  private exhausted = false;
  /** Resolves once the warm start has been given to the strategy, which hears of it before anything else. */
  private warmStarted: Promise<void> = Promise.resolve();
  /** Trials the strategy proposed: maxJobs bounds these, and enqueued trials (re-runs, added ones) come on top. */
  private suggested = 0;
  /** Calls of `enqueue` still on their way (the tuner registering the point). */
  private enqueuing = 0;
  /** Enqueued trials (status `pending`) not yet handed to the bus, first in first out. */
  private readonly waiting: Trial[] = [];
  private finished!: () => void;
  /** The next trial's number: one past the highest so far, earlier runs' trials included. */
  private nextNumber = 1;
  /** Finished trials of an earlier run, told to the strategy at start, and interrupted ones to run again. */
  private readonly resumed: { finished: Trial[]; interrupted: Trial[] } = { finished: [], interrupted: [] };
  /** Unfinished earlier trials are adopted from the bus rather than run again (`ResumeState.adopt`). */
  private adopting = false;
  /** SageMaker's "Auto" early stopping, when the job asks for it. */
  private readonly stoppingRule?: MedianStoppingRule;
  /** Why each trial was asked to stop; the first request wins, so a later Stop does not relabel a rule's stop. */
  private readonly stopCauses = new Map<string, { by?: StoppedBy; reason: string }>();
  readonly done: Promise<void> = new Promise((resolve) => (this.finished = resolve));

  constructor(
    private readonly job: JobDefinition,
    private readonly strategy: StrategyClient,
    private readonly bus: TrialBus,
    options: RunnerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.warmStart = options.warmStart ?? [];
    this.beforeTell = options.beforeTell;
    this.priorRuntimeMs = options.priorRuntimeMs ?? 0;
    if (job.earlyStopping === 'auto') this.stoppingRule = new MedianStoppingRule({ goal: job.objective.goal });
    if (options.resume) this.takeEarlierRun(options.resume);
  }

  /** Starts from an earlier run's trials: see `ResumeState`. */
  private takeEarlierRun({ trials, adopt }: ResumeState): void {
    this.adopting = adopt === true;
    const sorted = [...trials].sort((a, b) => a.number - b.number);
    for (const earlier of sorted) {
      if (isFinishedTrial(earlier.status)) {
        // The earlier tuner's ids (t1, t2, …) would collide with the new one's: an earlier trial is known by its number.
        const trial: Trial = { ...earlier, id: `earlier-${earlier.number}`, logs: [...earlier.logs] };
        delete trial.progress;
        this.trials.push(trial);
        this.resumed.finished.push(trial);
        this.nextNumber = Math.max(this.nextNumber, trial.number + 1);
        // The median rule's reference curves: completed trials' objective values, step by step.
        if (trial.status === 'completed' && this.stoppingRule) {
          const curve = trial.metrics[this.job.objective.metric] ?? [];
          curve.forEach((value, index) => this.stoppingRule!.report(trial.id, index + 1, value));
          this.stoppingRule.complete(trial.id);
        }
      } else {
        this.resumed.interrupted.push(earlier);
        if (this.adopting) this.nextNumber = Math.max(this.nextNumber, earlier.number + 1);
      }
    }
    // Suggestions spent: an interrupted suggestion's rerun spends the one it was; re-runs and added trials spent none.
    this.suggested = sorted.filter((t) => !isExtraTrial(t)).length;
  }

  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): Promise<void> {
    if (this.status !== 'idle') throw new Error('This job has already started.');
    this.setStatus('running');
    this.runStartedAt = this.now();
    const budget = this.job.completion?.maxRuntimeSeconds;
    if (budget !== undefined) {
      this.budgetTimer = setTimeout(() => this.endEarly(`The time budget of ${formatSeconds(budget)} is used up.`), Math.max(0, budget * 1000 - this.priorRuntimeMs));
    }
    this.warmStarted = this.observeWarmStart().then(() => this.tellEarlierRun());
    void this.warmStarted.then(() => this.pump());
    return this.done;
  }

  /** Time the job has spent running, this run and the ones before it (resumes) together. */
  get runtimeMs(): number {
    if (this.runStartedAt === undefined) return this.priorRuntimeMs;
    return this.priorRuntimeMs + (this.runEndedAt ?? this.now()) - this.runStartedAt;
  }

  /** Warm-start points outside this job's space are left out, and the job says how many. */
  private async observeWarmStart(): Promise<void> {
    const usable = this.warmStart.filter((o) => paramsError(this.job.parameters, o.params) === null && Number.isFinite(o.value));
    try {
      for (const observation of usable) await this.strategy.observe(observation.params, observation.value);
    } catch (error) {
      this.fail(`The tuner failed: ${(error as Error).message}`);
      return;
    }
    if (this.warmStart.length > 0) {
      const skipped = this.warmStart.length - usable.length;
      this.message = `Warm-started from ${usable.length} earlier trial${usable.length === 1 ? '' : 's'}${skipped ? ` (${skipped} outside this search space left out)` : ''}.`;
      this.emit({ type: 'job', status: this.status, message: this.message });
    }
  }

  /** Tells the strategy of an earlier run's finished trials and queues its interrupted ones (see `ResumeState`). */
  private async tellEarlierRun(): Promise<void> {
    const { finished, interrupted } = this.resumed;
    if (finished.length === 0 && interrupted.length === 0) return;
    if (this.status !== 'running') return;
    try {
      for (const trial of finished) {
        await this.strategy.observe(trial.params, observedObjective(trial));
      }
      for (const earlier of interrupted) {
        const id = await this.strategy.register(earlier.params);
        if (this.adopting) this.launch(this.adopt(id, earlier));
        else this.waiting.push(this.create(id, { ...earlier.params }, extraMark(earlier)));
      }
    } catch (error) {
      this.fail(`The tuner failed: ${(error as Error).message}`);
      return;
    }
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    const again = this.adopting ? `; ${count(interrupted.length, 'trial')} still on the bus carr${interrupted.length === 1 ? 'ies' : 'y'} on` : `; ${count(interrupted.length, 'interrupted trial')} run${interrupted.length === 1 ? 's' : ''} again`;
    const resumed = `Resumed: the tuner was told ${count(finished.length, 'finished trial')}${interrupted.length ? again : ''}.`;
    this.message = this.message ? `${this.message} ${resumed}` : resumed;
    this.emit({ type: 'job', status: this.status, message: this.message });
  }

  /** Stops the whole job: no new trials, and running ones stop softly or are terminated. */
  stop(mode: StopMode = 'soft'): void {
    if (this.status !== 'running' && this.status !== 'stopping') return;
    this.setStatus('stopping');
    for (const trial of this.trials) {
      if (trial.status === 'pending' || trial.status === 'running') this.stopByUser(trial.id, mode);
    }
    this.settleIfIdle();
  }

  /** Fails the job at once, for a reason outside it (its tuner is gone): running trials are terminated. */
  abort(reason: string): void {
    if (this.status === 'running' || this.status === 'stopping') this.fail(reason);
  }

  /** Stops one trial; the job goes on with the next. */
  stopTrial(id: string, mode: StopMode = 'soft'): void {
    const trial = this.trials.find((t) => t.id === id);
    if (trial?.status === 'running' || trial?.status === 'pending') this.stopByUser(id, mode);
  }

  private stopByUser(id: string, mode: StopMode): void {
    this.noteStop(id, { by: 'user', reason: 'Stopped by the user.' });
    if (!this.dropWaiting(id)) this.bus.stop(id, mode);
  }

  /** Ends an enqueued trial that never reached the bus as stopped; false when it is not waiting. */
  private dropWaiting(id: string): boolean {
    const index = this.waiting.findIndex((t) => t.id === id);
    if (index < 0) return false;
    void this.finishTrial(this.waiting.splice(index, 1)[0], { status: 'stopped' });
    return true;
  }

  /**
   * Runs a trial with exactly these hyperparameters ahead of any new suggestion: a re-run of a
   * trial with a new seed (seeds follow the trial number), to see the noise. The strategy
   * registers the point (so asks meanwhile avoid it) and is told the result like any trial's.
   * The trial appears, `pending`, once the tuner has registered it, and starts as soon as
   * fewer than maxParallelJobs trials are on the bus. It does not count towards maxJobs,
   * and the job does not end before it does. Rejects, starting nothing, unless the job is
   * running (a job that has ended has released its workers), for points outside the space, for
   * a `rerunOf` that names no trial or one with other hyperparameters, and when the tuner
   * refuses the point.
   */
  async enqueue(params: Params, options: EnqueueOptions = {}): Promise<Trial> {
    this.assertRunning();
    const error = paramsError(this.job.parameters, params);
    if (error) throw new Error(`These hyperparameters are outside the job's search space: ${error}`);
    const { rerunOf } = options;
    if (rerunOf !== undefined) {
      const original = this.trials.find((t) => t.number === rerunOf);
      if (!original) throw new Error(`There is no trial ${rerunOf} to re-run.`);
      // The mark says the two differ only in their seed.
      if (paramsKey(this.job.parameters, original.params) !== paramsKey(this.job.parameters, params)) throw new Error(`Trial ${rerunOf} ran other hyperparameters than these.`);
    }
    // The job does not end while a trial is on its way in (a re-run asked for as a resumed job starts).
    this.enqueuing++;
    try {
      await this.warmStarted;
      this.assertRunning();
      let id: string;
      try {
        id = await this.strategy.register(params);
      } catch (error) {
        // The job goes on without it; a tuner that died fails the job through abort().
        throw new Error(`The tuner did not take the trial: ${(error as Error).message}`);
      }
      if (this.status !== 'running') {
        // Stopped or failed while the tuner registered it: hand it back unused, as the pump does.
        try {
          await this.strategy.tell(id, { failed: true });
        } catch {
          // Nothing to do: the job has ended or is ending, and this trial never ran.
        }
        this.assertRunning();
      }
      const trial = this.create(id, { ...params }, rerunOf !== undefined ? { rerunOf } : { added: true });
      this.waiting.push(trial);
      void this.pump();
      return trial;
    } finally {
      this.enqueuing--;
      this.settleIfIdle();
    }
  }

  private assertRunning(): void {
    if (this.status === 'running') return;
    if (this.status === 'idle') throw new Error('The job has not started: it can run a trial again once it runs.');
    throw new Error(`The job has ${this.status === 'stopping' ? 'been stopped' : 'ended'}: start a new job to run these hyperparameters again.`);
  }

  private noteStop(id: string, cause: { by?: StoppedBy; reason: string }): void {
    if (!this.stopCauses.has(id)) this.stopCauses.set(id, cause);
  }

  /**
   * How many more suggestions the job may ask for. Max jobs bounds the suggestions, except under
   * Hyperband, where it counts completed trials at the full budget (its shorter rungs come on top),
   * with a cap on all suggestions so that a job whose full-budget runs keep failing still ends.
   */
  private get suggestionsLeft(): number {
    if (this.job.strategy !== 'hyperband') return this.job.maxJobs - this.suggested;
    if (this.fullBudgetCompleted >= this.job.maxJobs) return 0;
    return HYPERBAND_SUGGESTION_CAP * this.job.maxJobs - this.suggested;
  }

  /**
   * The budget to give the strategy (`StrategyOptions.maxTrials`): the suggestions it will still be
   * asked for, max jobs less those an earlier run of a resumed job spent; none under Hyperband,
   * whose suggestions max jobs does not bound, nor when none is left (a job resumed after max jobs
   * to run a re-run: the strategy is asked for nothing). Re-runs are registered, not asked: not counted.
   */
  get strategyMaxTrials(): number | undefined {
    if (this.job.strategy === 'hyperband') return undefined;
    const left = this.suggestionsLeft;
    return left > 0 ? left : undefined;
  }

  /**
   * Completed trials of the strategy's that trained the largest number of epochs the space allows
   * (Hyperband's full budget); re-runs and added trials come on top, as they do of max jobs elsewhere.
   */
  get fullBudgetCompleted(): number {
    const epochs = this.job.parameters.epochs;
    if (!epochs || epochs.type === 'categorical') return 0;
    return fullBudgetRuns(this.trials, epochs.max);
  }

  private hyperbandEnd(): string | undefined {
    if (this.job.strategy !== 'hyperband') return undefined;
    const full = this.fullBudgetCompleted;
    return full >= this.job.maxJobs ? undefined : `Hyperband stopped after ${this.suggested} trials (its cap, ${HYPERBAND_SUGGESTION_CAP} × max jobs) with ${full} of ${this.job.maxJobs} completed at the full budget.`;
  }

  /** Trials not yet ended (pending or running), enqueued ones waiting for room included. */
  get activeTrials(): number {
    return this.trials.filter((t) => t.status === 'running' || t.status === 'pending').length;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        if (this.status !== 'running') continue;
        // Enqueued trials first: they count as active, so no suggestion is asked for while one waits.
        while (this.waiting.length > 0 && this.activeTrials - this.waiting.length < this.job.maxParallelJobs) this.launch(this.waiting.shift()!);
        const room = Math.min(this.job.maxParallelJobs - this.activeTrials, this.suggestionsLeft);
        if (this.exhausted || room <= 0) continue;
        const suggestions = await this.strategy.ask(room);
        if (suggestions.length < room) this.exhausted = true;
        if (this.status !== 'running') {
          // Stopped while the tuner was thinking: hand the suggestions back unused.
          for (const s of suggestions) await this.strategy.tell(s.id, { failed: true });
          continue;
        }
        this.suggested += suggestions.length;
        for (const suggestion of suggestions) {
          const trial = this.create(suggestion.id, suggestion.params);
          const rung = (suggestion as { rung?: unknown }).rung;
          if (typeof rung === 'number') trial.rung = rung;
          this.launch(trial);
        }
      } while (this.pumpAgain);
    } catch (error) {
      this.fail(`The tuner failed: ${(error as Error).message}`);
    } finally {
      this.pumping = false;
    }
    this.settleIfIdle();
  }

  /** An unfinished trial of an earlier coordinator, as it was (number, seed, attempt), pending until the bus reports it running. */
  private adopt(id: string, earlier: Trial): Trial {
    const trial: Trial = { ...earlier, id, status: 'pending', metrics: {}, epochs: [], logs: [] };
    for (const key of ['startedAt', 'objective', 'final', 'resolved', 'recipeVersion', 'progress', 'backend', 'workerId', 'worker'] as const) delete trial[key];
    this.trials.push(trial);
    this.emitTrial(trial);
    return trial;
  }

  /** A new trial, `pending`, numbered next: its number sets its seed; `extra` marks an enqueued one. */
  private create(id: string, params: Params, extra?: ExtraMark): Trial {
    const number = this.nextNumber++;
    const seed = this.job.seed * 100_003 + number;
    const trial: Trial = { id, number, seed, params, status: 'pending', createdAt: this.now(), metrics: {}, epochs: [], logs: [], ...extra };
    this.trials.push(trial);
    this.emitTrial(trial);
    return trial;
  }

  private launch(trial: Trial): void {
    let tracker = new MetricTracker(this.job.metricDefinitions);
    const extra = extraMark(trial);
    const spec: TrialSpec = { trialId: trial.id, number: trial.number, hyperparameters: { ...this.job.fixed, ...trial.params }, seed: trial.seed, ...(extra ? { extra } : {}) };
    this.bus
      .run(spec, {
        onStart: ({ backend, workerId, worker }) => {
          if (trial.status !== 'pending') return;
          Object.assign(trial, { status: 'running', startedAt: this.now(), backend, workerId });
          if (worker !== undefined) trial.worker = worker;
          this.emitTrial(trial);
        },
        onRestart: (reason) => {
          if (trial.status !== 'running' && trial.status !== 'pending') return;
          tracker = new MetricTracker(this.job.metricDefinitions);
          this.startNextAttempt(trial, reason);
        },
        onLog: (line) => {
          if (trial.status !== 'running') return;
          if (readTrialLine(trial, line, tracker, this.job.objective.metric)) this.considerEarlyStop(trial, tracker.values(this.job.objective.metric));
          this.emitTrial(trial);
        },
        onProgress: (progress) => {
          if (trial.status !== 'running') return;
          trial.progress = progress;
          this.emit({ type: 'progress', trialId: trial.id, progress });
        },
      })
      .catch((error: Error): TrialRunResult => ({ status: 'failed', reason: error.message }))
      .then((result) => this.finishTrial(trial, result));
  }

  /** Each objective value is a step of the trial's learning curve; a curve below the median is stopped softly. */
  private considerEarlyStop(trial: Trial, curve: number[]): void {
    if (!this.stoppingRule || this.stopCauses.has(trial.id)) return;
    const step = curve.length;
    const value = curve[step - 1];
    if (!this.stoppingRule.report(trial.id, step, value)) return;
    const median = this.stoppingRule.medianAt(step);
    this.noteStop(trial.id, {
      by: 'rule',
      reason: `Stopped early at step ${step}: ${value} is worse than the median of completed trials' running averages (${median?.toPrecision(4)}).`,
    });
    this.bus.stop(trial.id, 'soft');
  }

  private async finishTrial(trial: Trial, result: TrialRunResult): Promise<void> {
    if (isFinishedTrial(trial.status)) return;
    if (result.status === 'failed' && result.retryable && this.retry(trial, result.reason)) return;
    if (result.status === 'completed' && trial.objective === undefined) {
      const definition = this.job.metricDefinitions.find((m) => m.name === this.job.objective.metric);
      result = { status: 'failed', reason: `No log line matched the objective metric's regex /${definition?.regex}/.` };
    }
    const cause = this.stopCauses.get(trial.id);
    if (result.status === 'stopped' && cause?.by) trial.stoppedBy = cause.by;
    this.end(trial, result, result.status === 'failed' ? result.reason : result.status === 'stopped' ? (cause?.reason ?? 'Stopped.') : undefined);
    if (result.status === 'completed') this.stoppingRule?.complete(trial.id);
    else this.stoppingRule?.discard(trial.id);
    // An early-stopped trial still tells the tuner what it reached: a poor value is information.
    const told = result.status === 'completed' || (cause?.by === 'rule' && trial.objective !== undefined) ? { value: trial.objective! } : { failed: true as const };
    try {
      await this.beforeTell?.({ ...trial, logs: [...trial.logs] });
    } catch {
      // The store says what went wrong; the trial is still told, and kept in memory.
    }
    try {
      await this.strategy.tell(trial.id, told);
    } catch (error) {
      this.fail(`The tuner failed: ${(error as Error).message}`);
      return;
    }
    this.checkCompletion(trial);
    void this.pump();
  }

  /**
   * Runs the trial again, as its next attempt with the same hyperparameters and seed, when its
   * failure was not its own and it has retries left; the tuner hears only of the last attempt.
   * The retry goes ahead of new suggestions and does not count towards maxJobs.
   */
  private retry(trial: Trial, reason: string): boolean {
    const attempt = trial.attempt ?? 1;
    if (this.status !== 'running' || attempt > (this.job.retries ?? 0)) return false;
    this.startNextAttempt(trial, reason);
    this.waiting.unshift(trial);
    void this.pump();
    return true;
  }

  /** Closes the trial's current attempt as failed for `reason` and makes it pending again as the next attempt. */
  private startNextAttempt(trial: Trial, reason: string): void {
    const attempt = trial.attempt ?? 1;
    this.stoppingRule?.discard(trial.id);
    trial.failedAttempts = [...(trial.failedAttempts ?? []), { attempt, reason, startedAt: trial.startedAt, endedAt: this.now() }];
    Object.assign(trial, { status: 'pending', attempt: attempt + 1, logs: [], metrics: {}, epochs: [] });
    for (const key of ['startedAt', 'objective', 'final', 'resolved', 'recipeVersion', 'progress', 'backend', 'workerId', 'worker'] as const) delete trial[key];
    this.emitTrial(trial);
  }

  /**
   * The job's completion criteria, after each trial the tuner has been told of: a target reached,
   * or too many finished trials in a row without a new best.
   */
  private checkCompletion(trial: Trial): void {
    const { targetObjective, trialsWithoutImprovement } = this.job.completion ?? {};
    if (trial.status !== 'completed' || trial.objective === undefined) return;
    const maximize = this.job.objective.goal === 'maximize';
    if (targetObjective !== undefined && (maximize ? trial.objective >= targetObjective : trial.objective <= targetObjective)) {
      this.endEarly(`Target ${targetObjective} reached by trial ${trial.number} (${trial.objective}).`);
      return;
    }
    if (trialsWithoutImprovement === undefined) return;
    const finished = this.trials.filter((t) => t.status === 'completed' && t.objective !== undefined).sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
    let best: Trial | undefined;
    let since = 0;
    for (const t of finished) {
      if (!best || (maximize ? t.objective! > best.objective! : t.objective! < best.objective!)) {
        best = t;
        since = 0;
      } else since++;
    }
    if (best && since >= trialsWithoutImprovement) {
      this.endEarly(`No improvement in the last ${since} trials; the best is trial ${best.number} (${best.objective}).`);
    }
  }

  /** A completion criterion is met: nothing new starts, running trials stop softly, and the job ends completed. */
  private endEarly(reason: string): void {
    if (this.status !== 'running') return;
    this.ending = reason;
    this.message = reason;
    this.setStatus('stopping', reason);
    for (const trial of this.trials) {
      if (trial.status !== 'pending' && trial.status !== 'running') continue;
      this.noteStop(trial.id, { reason: `Stopped because the job is done: ${reason}` });
      if (!this.dropWaiting(trial.id)) this.bus.stop(trial.id, 'soft');
    }
    this.settleIfIdle();
  }

  private end(trial: Trial, result: TrialRunResult, reason?: string): void {
    trial.status = result.status;
    trial.endedAt = this.now();
    if (reason) trial.reason = reason;
    this.emitTrial(trial);
  }

  private settleIfIdle(): void {
    if (this.activeTrials > 0 || this.pumping || this.enqueuing > 0) return;
    if (this.status === 'stopping') this.finish(this.ending ? 'completed' : 'stopped', this.ending);
    else if (this.status === 'running' && (this.exhausted || this.suggestionsLeft <= 0)) {
      this.finish('completed', this.exhausted && this.suggestionsLeft > 0 ? 'The search space is exhausted.' : this.hyperbandEnd());
    }
  }

  private fail(message: string): void {
    const reason = 'Stopped because the job failed.';
    for (const trial of this.trials) {
      // Noted for pending trials too: the pool stops those it holds when the job ends, and
      // enqueued trials that never reached it end here.
      if (trial.status === 'running' || trial.status === 'pending') this.noteStop(trial.id, { reason });
      if (trial.status === 'running') {
        this.bus.stop(trial.id, 'hard');
        // Ended now, not when the worker confirms: the trial's record then precedes the job's
        // "failed" one, so a tab closed in between does not keep it as running in storage.
        this.stoppingRule?.discard(trial.id);
        this.end(trial, { status: 'stopped' }, reason);
      } else if (trial.status === 'pending') this.dropWaiting(trial.id);
    }
    this.finish('failed', message);
  }

  private finish(status: JobStatus, message?: string): void {
    if (hasJobEnded(this.status)) return;
    this.message = message ?? this.message;
    this.runEndedAt = this.now();
    clearTimeout(this.budgetTimer);
    this.setStatus(status, this.message);
    this.bus.dispose?.();
    this.finished();
  }

  private setStatus(status: JobStatus, message?: string): void {
    this.status = status;
    this.emit({ type: 'job', status, message });
  }

  private emitTrial(trial: Trial): void {
    this.emit({ type: 'trial', trial: { ...trial, logs: [...trial.logs] } });
  }

  private emit(event: JobEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** What makes a trial extra (see `isExtraTrial`), so that an interrupted one run again keeps it, and the bus records it; undefined for a searched trial. */
function extraMark({ rerunOf, added }: Trial): ExtraMark | undefined {
  return rerunOf !== undefined ? { rerunOf } : added ? { added } : undefined;
}

/** "90 s", "2 min", "1 h 30 min": a time budget as a person sets it. */
function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}
