import type { JobDefinition } from '../../lib/config';
import { JobRunner, hasJobEnded, isFinishedTrial, observedObjective, type JobStatus, type ResumeState, type StopMode, type Trial, type WarmStartObservation } from '../../lib/job';
import { JobStore, type JobRecorder, type StoredJob, type StoredTrial } from '../../lib/store';
import { askHolder, claimJob, jobHeld, runningElsewhereMessage } from './tab-lock';
import type { BackendInfo } from '../../lib/device/backend-info';
import { WorkerPool } from '../../lib/job/pool';
import type { TrialBus } from '../../lib/job';
import { NatsTrialBus } from '../../lib/bus/nats-bus';
import { LeaseHeldError } from '../../lib/bus/lease';
import { trialsFromHistory } from '../../lib/bus/rebuild';
import type { JobRecord, WorkerRecord } from '../../lib/bus/messages';
import { findJob } from '../../lib/bus/job-record';
import { jobLink, joinLink } from '../../lib/config';
import { connectNats, datasetFor, tabName } from './nats.svelte';
import { paramsError, type CategoryValue, type Params } from '../../lib/space';
import type { Importance, Recommendation, SlicePoint, StrategyClient } from '../../lib/tuner';
import type { WorkerConnection } from '../../../workers/connect';
import { spawnTrainer, spawnTuner } from '../../../workers/spawn';
import { bestTrial } from '../charts/best';
import { comparableTrials } from '../charts/rungs';
import type { TunerFault, TunerWorkerApi } from '../../../workers/tuner.worker';

/** How often a tab waiting to take a NATS job over tries the lease again. */
const TAKE_OVER_RETRY_MS = 3_000;

/** A filter on one axis of the parallel coordinates: a numeric range, or a set of categories. */
export type AxisBrush = { min: number; max: number } | { values: CategoryValue[] };

/** One tuning job as the page shows it: rebuilt from the runner's events. */
export class JobSession {
  trials = $state<Trial[]>([]);
  status = $state<JobStatus>('idle');
  message = $state<string | undefined>();
  startedAt = $state(0);
  now = $state(0);
  workers = $state<Record<number, BackendInfo>>({});
  /** Tensors left behind by each trial in its worker (0 when nothing leaked). */
  leakedTensors = $state<Record<string, number>>({});
  /** The definition the job runs with: charts and summaries read it, never the form, which may have changed since. */
  job = $state<JobDefinition | undefined>();
  /** The trial selected in any chart or the table (its number), highlighted everywhere. */
  selected = $state<number | undefined>();
  /** Filters from the parallel coordinates, by axis name (a hyperparameter or the objective metric). */
  brushes = $state<Record<string, AxisBrush>>({});
  /** Bumped whenever the tuner has taken a result: its display model may have changed, so views of it refresh. */
  beliefVersion = $state(0);
  /** Observations of earlier jobs the tuner was given at the start (the picker's plan keeps only points inside the space). */
  warmStarted = $state(0);
  /** The job as the store keeps it (its id and name); undefined when it is not kept. */
  stored = $state<StoredJob | undefined>();
  /** Finished trials of this job committed to the store. */
  saved = $state(0);
  /** Why the job is no longer being saved (storage full, or another failure). */
  storageMessage = $state<string | undefined>();
  /** A kept job that stopped without finishing (the page was reloaded or crashed): Resume runs it on. */
  resumable = $state(false);
  /** Set by `show`: finished trials from a file (or the bench seam), not a job this browser can run on. */
  shownOnly = $state(false);
  /** A shown job's tuner is being told its trials (`modelShown`): its charts' model is on its way. */
  fittingShown = $state(false);
  /** Set when another tab runs the job shown here: it is read-only in this one. */
  elsewhere = $state<string | undefined>();
  /** On a NATS job: the workers serving it now, as their records say. */
  remoteWorkers = $state<WorkerRecord[]>([]);
  /** On a NATS job: what its workers said about trials they handed back, newest last. */
  busNotices = $state<string[]>([]);
  /** On a NATS job: the address that makes another tab a worker for it. */
  joinAddress = $state<string | undefined>();
  /** On a NATS job: the address that opens it as coordinator elsewhere (taking over when this tab goes). */
  coordinateAddress = $state<string | undefined>();
  /** Set by Stop while this tab waits to take a NATS job over. */
  private cancelTakeOver = false;

  private runner?: JobRunner;
  private readonly store: JobStore;
  private clock?: ReturnType<typeof setInterval>;
  /** Kept after the job ends, to answer the charts' questions about the GP; replaced by the next job's. */
  private tuner?: WorkerConnection<TunerWorkerApi>;

  /** The best completed trial in the job's goal direction; the charts hold the other hyperparameters at its values. */
  readonly bestTrial = $derived(this.job ? bestTrial(comparableTrials(this.job, this.trials), this.job.objective.goal) : undefined);

  constructor(store = new JobStore()) {
    this.store = store;
  }

  /** Trials that pass every brush of the parallel coordinates. */
  readonly visibleTrials = $derived(this.trials.filter((trial) => this.passesBrushes(trial)));

  select(number: number | undefined): void {
    this.selected = this.selected === number ? undefined : number;
  }

  setBrush(axis: string, brush: AxisBrush | undefined): void {
    if (brush) this.brushes[axis] = brush;
    else delete this.brushes[axis];
  }

  private passesBrushes(trial: Trial): boolean {
    for (const [axis, brush] of Object.entries(this.brushes)) {
      const value = axis === this.job?.objective.metric ? trial.objective : trial.params[axis];
      if (value === undefined) return false;
      if ('values' in brush) {
        if (!brush.values.includes(value)) return false;
      } else if (typeof value !== 'number' || value < brush.min || value > brush.max) return false;
    }
    return true;
  }

  /**
   * The tuner's belief along one hyperparameter, the others at `at`, in the objective's units; null
   * before two trials completed, without a GP (random, grid), or when the tuner is gone.
   */
  async slice(name: string, at: Params, points?: number): Promise<SlicePoint[] | null> {
    try {
      return (await this.tuner?.api.slice(name, at, points)) ?? null;
    } catch {
      return null;
    }
  }

  /** Which hyperparameters matter, as the tuner sees it; null when it cannot say. */
  async importance(): Promise<Importance | null> {
    try {
      return (await this.tuner?.api.importance()) ?? null;
    } catch {
      return null;
    }
  }

  /**
   * The configuration the tuner recommends, from its worker's display fit (docs/TUNER.md,
   * Recommendation); null before a result, or while a shown job's tuner is still being told
   * its trials (`modelShown`).
   */
  async recommend(): Promise<Recommendation | null> {
    try {
      return (await this.tuner?.api.recommend()) ?? null;
    } catch {
      return null;
    }
  }

  /** Completed, stopped or failed: nothing more runs for it unless it is resumed. */
  get ended(): boolean {
    return hasJobEnded(this.status);
  }

  /** Running in this tab (a job shown read-only because another tab runs it is not). */
  get active(): boolean {
    if (this.elsewhere) return false;
    return this.status === 'running' || this.status === 'stopping';
  }

  async start(definition: JobDefinition, warmStart: WarmStartObservation[] = []): Promise<void> {
    if (this.active) return;
    // Plain data only: it crosses into workers, which cannot receive reactive proxies.
    const job = $state.snapshot(definition) as JobDefinition;
    let stored: StoredJob | undefined;
    this.storageMessage = undefined;
    try {
      stored = await this.store.createJob(job);
    } catch (error) {
      this.storageMessage = `This job is not being saved (${(error as Error).message}); it runs in memory.`;
    }
    await this.run(job, { warmStart: $state.snapshot(warmStart) as WarmStartObservation[], stored });
  }

  /**
   * Shows the last kept job that did not finish (the page was reloaded, or the tab crashed while it
   * ran), with its finished trials, and offers Resume; read-only when another tab runs it.
   */
  async restore(): Promise<void> {
    let jobs: StoredJob[];
    try {
      jobs = await this.store.listJobs();
    } catch {
      return;
    }
    const last = jobs[0];
    if (!last || this.active || this.job || !['idle', 'running', 'stopping'].includes(last.status)) return;
    await this.open(last.id);
  }

  /** Shows a kept job without running it. */
  async open(jobId: string): Promise<void> {
    if (this.active) return;
    const loaded = await this.store.loadJob(jobId);
    if (!loaded) return;
    const { job: stored, trials } = loaded;
    const elsewhere = await jobHeld(jobId);
    const holder = elsewhere ? await askHolder(jobId) : undefined;
    // A job started while the store answered owns the page now: showing this one would end its tuner.
    if (this.active) return;
    const finished = trials.filter((t) => isFinishedTrial(t.status));
    this.stored = stored;
    this.shownOnly = false;
    this.job = stored.definition;
    this.warmStarted = 0;
    this.selected = undefined;
    this.brushes = {};
    this.workers = {};
    this.leakedTensors = {};
    this.storageMessage = undefined;
    this.saved = finished.length;
    this.elsewhere = elsewhere ? runningElsewhereMessage(holder) : undefined;
    // Trials that had not finished are shown as interrupted here; in another tab they may still run.
    this.trials = (elsewhere ? trials : finished).map(plainTrial);
    this.status = elsewhere ? 'running' : stored.status === 'idle' || stored.status === 'running' || stored.status === 'stopping' ? 'stopped' : stored.status;
    this.resumable = !elsewhere && ['idle', 'running', 'stopping'].includes(stored.status);
    const interrupted = trials.length - finished.length;
    this.message = elsewhere
      ? undefined
      : this.resumable
        ? `This job was interrupted: ${finished.length} finished trial${finished.length === 1 ? ' is' : 's are'} kept${interrupted ? `, and ${interrupted} that had not finished will run again` : ''}. Resume runs it on.`
        : stored.message;
    const times = this.trials.flatMap((t) => [t.startedAt ?? t.createdAt, t.endedAt ?? t.createdAt]);
    this.startedAt = times.length ? Math.min(...times) : stored.createdAt;
    this.now = this.startedAt + stored.runtimeMs;
    void this.modelShown(stored.definition, finished);
  }

  /** Every job kept in this browser, the most recently updated first (the Jobs list). */
  async listJobs(): Promise<StoredJob[]> {
    return this.store.listJobs();
  }

  /** A kept job's finished trials, for the Jobs list's comparison. */
  async jobTrials(jobId: string): Promise<Trial[]> {
    const loaded = await this.store.loadJob(jobId);
    return (loaded?.trials ?? []).map(plainTrial);
  }

  async renameJob(jobId: string, name: string): Promise<void> {
    await this.store.renameJob(jobId, name);
    if (this.stored?.id === jobId) this.stored = { ...this.stored, name };
  }

  /** Deletes a kept job and its trials; not the one running in this tab. */
  async deleteJob(jobId: string): Promise<void> {
    if (this.active && this.stored?.id === jobId) throw new Error('This job is running: stop it first.');
    await this.store.deleteJob(jobId);
    if (this.stored?.id === jobId) {
      this.stored = undefined;
      this.resumable = false;
    }
  }

  /**
   * Opens a job on a NATS server by its link (`#coordinate=`), as its coordinator: from its record
   * on the server, kept in this browser under the same id, and run with the trials the server's
   * history holds, taking the job over once the tab that holds it goes silent. `onDefinition`
   * gets the job's definition (for the form) as soon as it is read.
   */
  async openFromServer(server: string, id: string, onDefinition?: (job: JobDefinition) => void): Promise<void> {
    if (this.active) return;
    this.status = 'running';
    this.message = `Reading job ${id} from ${server}…`;
    let record: JobRecord | undefined;
    try {
      const nc = await connectNats(server);
      record = await findJob(nc, id).finally(() => nc.close().catch(() => undefined));
    } catch (error) {
      this.status = 'failed';
      this.message = (error as Error).message;
      return;
    }
    if (!record) {
      this.status = 'failed';
      this.message = `The NATS server at ${server} has no job ${id}.`;
      return;
    }
    const job: JobDefinition = { ...record.definition, natsServer: server };
    onDefinition?.(job);
    if (record.status === 'ended') {
      this.status = 'completed';
      this.message = `Job ${id} has ended on the server; its results are in the tab that coordinated it (its Jobs list, or Export there).`;
      return;
    }
    let stored: StoredJob | undefined;
    try {
      stored = (await this.store.loadJob(id))?.job ?? (await this.store.createJob(job, { id }));
    } catch (error) {
      this.storageMessage = `This job is not being saved (${(error as Error).message}); it runs in memory.`;
    }
    await this.run(job, { warmStart: [], stored, resume: { trials: [] } });
  }

  /** Runs the job shown (a kept, interrupted one) on from its finished trials: see `ResumeState`. */
  async resume(afterStart?: (runner: JobRunner) => void): Promise<void> {
    if (this.active || !this.stored) return;
    const loaded = await this.store.loadJob(this.stored.id).catch(() => undefined);
    if (!loaded) {
      this.message = 'This job is no longer kept in this browser.';
      return;
    }
    if (await jobHeld(loaded.job.id)) {
      this.elsewhere = runningElsewhereMessage(await askHolder(loaded.job.id));
      this.resumable = false;
      return;
    }
    this.storageMessage = undefined;
    try {
      await this.store.dropUnfinished(loaded.job.id);
    } catch (error) {
      this.storageMessage = `This job is not being saved (${(error as Error).message}); it runs in memory.`;
    }
    await this.run(loaded.job.definition, { warmStart: [], stored: loaded.job, resume: { trials: loaded.trials.map(plainTrial) }, afterStart });
  }

  /**
   * Connects to the job's NATS server and takes the job's lease. A resumed job is rebuilt from the
   * events stream, which knows what the workers did while no tab coordinated: finished trials as
   * the store kept them where it has them, and unfinished ones adopted where they are. Undefined,
   * with the reason shown, when the server cannot be reached or another tab coordinates the job.
   */
  private async openNatsBus(job: JobDefinition, stored: StoredJob | undefined, resume: ResumeState | undefined): Promise<{ bus: NatsTrialBus; resume?: ResumeState } | undefined> {
    const server = job.natsServer!;
    const id = stored?.id ?? crypto.randomUUID();
    this.status = 'running';
    this.message = `Connecting to the NATS server at ${server}…`;
    let bus: NatsTrialBus | undefined;
    this.cancelTakeOver = false;
    while (!bus) {
      try {
        const nc = await connectNats(server);
        bus = await NatsTrialBus.open({
          nc,
          job: id,
          definition: job,
          dataset: await datasetFor(job),
          owner: tabName(),
          closeConnection: true,
          onNotice: (text) => (this.busNotices = [...this.busNotices.slice(-4), text]),
          onLeaseLost: (why) => this.runner?.abort(why),
        });
      } catch (error) {
        if (error instanceof LeaseHeldError && !this.cancelTakeOver) {
          // The holder refreshes its lease every few seconds; once it stops (tab closed, machine gone) the lease lapses and this tab takes over.
          this.message = `This job is coordinated by ${error.holder}. This tab takes it over if that one goes silent (Stop gives up).`;
          await new Promise((resolve) => setTimeout(resolve, TAKE_OVER_RETRY_MS));
          continue;
        }
        this.status = this.cancelTakeOver ? 'stopped' : 'failed';
        this.message = this.cancelTakeOver ? 'Gave up taking the job over.' : (error as Error).message;
        return undefined;
      }
    }
    const opened = bus;
    this.joinAddress = joinLink(server, id, location.href);
    this.coordinateAddress = jobLink('coordinate', server, id, location.href);
    const refresh = async () => {
      this.remoteWorkers = await opened.workers().catch(() => this.remoteWorkers);
    };
    void refresh();
    const poll = setInterval(() => void refresh(), 2_000);
    void opened.closed.then(() => {
      clearInterval(poll);
      // The job has ended on the server: its workers leave it.
      this.remoteWorkers = [];
    });
    if (!resume) return { bus };
    const kept = new Map(resume.trials.filter((t) => isFinishedTrial(t.status)).map((t) => [t.number, t]));
    const trials = trialsFromHistory(job, bus.history.values(), Date.now()).map((t) => kept.get(t.number) ?? t);
    for (const trial of kept.values()) if (!trials.some((t) => t.number === trial.number)) trials.push(trial);
    return { bus, resume: { trials, adopt: true } };
  }

  private async run(
    job: JobDefinition,
    options: { warmStart: WarmStartObservation[]; stored?: StoredJob; resume?: ResumeState; afterStart?: (runner: JobRunner) => void },
  ): Promise<void> {
    const { warmStart, stored, resume, afterStart } = options;
    this.trials = [];
    this.workers = {};
    this.leakedTensors = {};
    this.message = undefined;
    this.saved = 0;
    this.selected = undefined;
    this.brushes = {};
    this.job = job;
    this.warmStarted = warmStart.length;
    this.startedAt = this.now = Date.now();

    this.remoteWorkers = [];
    this.busNotices = [];
    this.joinAddress = undefined;
    this.coordinateAddress = undefined;
    let bus: TrialBus;
    let resumeFrom = resume;
    if (job.natsServer) {
      const opened = await this.openNatsBus(job, stored, resume);
      if (!opened) return;
      ({ bus, resume: resumeFrom } = opened);
    } else {
      bus = new WorkerPool(job.maxParallelJobs, spawnTrainer, {
        onWorker: (id, info) => (this.workers[id] = info),
        onTrialTensors: (trialId, before, after) => (this.leakedTensors[trialId] = after - before),
      });
    }

    this.tuner?.terminate();
    this.fittingShown = false;
    const tuner = spawnTuner();
    this.tuner = tuner;
    // Each result the tuner takes may change its display model: views of it ask again once it has.
    const strategy: StrategyClient = {
      ask: (count) => tuner.api.ask(count),
      register: (params) => tuner.api.register(params),
      tell: async (id, outcome) => {
        await tuner.api.tell(id, outcome);
        this.beliefVersion++;
      },
      observe: async (params, value) => {
        await tuner.api.observe(params, value);
        this.beliefVersion++;
      },
    };
    let recorder: JobRecorder | undefined;
    const runner: JobRunner = new JobRunner(job, strategy, bus, {
      warmStart,
      resume: resumeFrom,
      priorRuntimeMs: resume ? stored?.runtimeMs : undefined,
      // The store commits each finished trial before the tuner hears of it.
      beforeTell: (trial) => recorder?.commit(trial) ?? Promise.resolve(),
    });
    this.runner = runner;
    this.stored = stored;
    this.shownOnly = false;
    this.resumable = false;
    this.elsewhere = undefined;
    this.trials = runner.trials.map(plainTrial);
    this.saved = this.trials.length;
    // A resumed job's charts begin at its first trial, which ran before this page was opened.
    for (const trial of this.trials) this.startedAt = Math.min(this.startedAt, trial.startedAt ?? trial.createdAt);
    if (stored) {
      recorder = this.store.recorder(
        stored,
        {
          runtimeMs: () => runner.runtimeMs,
          onError: (message) => (this.storageMessage = message),
          onSaved: (saved) => (this.saved = saved.size),
        },
        runner.trials,
      );
      runner.subscribe((event) => recorder!.onEvent(event));
      void claimJob(stored.id, runner.done);
    }
    runner.subscribe((event) => {
      if (event.type === 'job') {
        const show = () => {
          this.status = event.status;
          this.message = event.message;
        };
        // The recorder heard of this event first and queued its write. A job is shown as ended only
        // once that write has committed (or failed and said so): a page left the moment it reads
        // "completed" or "stopped" would otherwise abort the write, and the job would come back
        // as interrupted. A flush never rejects.
        if (recorder && hasJobEnded(event.status)) void recorder.flush().then(show);
        else show();
        return;
      }
      if (event.type === 'progress') {
        const trial = this.trials.find((t) => t.id === event.trialId);
        if (trial) trial.progress = event.progress;
        return;
      }
      const index = this.trials.findIndex((t) => t.id === event.trial.id);
      if (index >= 0) this.trials[index] = event.trial;
      else this.trials.push(event.trial);
      this.now = Date.now();
    });
    // A tuner that dies between calls ends the job now, not at its next ask or tell.
    void tuner.failed.then((reason) => runner.abort(reason));
    this.clock = setInterval(() => (this.now = Date.now()), 1000);
    try {
      await tuner.api.start(job.strategy, { space: job.parameters, goal: job.objective.goal, seed: job.seed, maxTrials: runner.strategyMaxTrials }, tunerFault());
      const done = runner.start();
      afterStart?.(runner);
      await done;
      await recorder?.flush();
    } catch (error) {
      this.status = 'failed';
      this.message = (error as Error).message;
      bus.dispose?.();
    } finally {
      clearInterval(this.clock);
      this.now = Date.now();
    }
  }

  /**
   * Shows finished trials without running them: an imported job's (Import), and the dashboard
   * benchmark's seam (`?bench`, see App.svelte), which needs hundreds of trials on the charts
   * without training them. The last job's tuner goes: its belief is not about these trials; a
   * model of these is fitted in its place unless `model` is false (`modelShown`).
   */
  show(job: JobDefinition, trials: Trial[], options: { model?: boolean } = {}): void {
    if (this.active) throw new Error('A job is running.');
    this.message = undefined;
    this.job = job;
    this.warmStarted = 0;
    this.trials = trials;
    this.status = 'completed';
    this.stored = undefined;
    this.shownOnly = true;
    this.resumable = false;
    this.elsewhere = undefined;
    this.workers = {};
    this.leakedTensors = {};
    this.storageMessage = undefined;
    this.saved = 0;
    this.selected = undefined;
    this.brushes = {};
    this.startedAt = Math.min(...trials.map((t) => t.startedAt ?? t.createdAt));
    this.now = Math.max(...trials.map((t) => t.endedAt ?? t.createdAt));
    void this.modelShown(job, options.model === false ? [] : trials.filter((t) => isFinishedTrial(t.status)));
  }

  /**
   * A tuner of its own for a job shown without running (kept and opened, or imported), told its
   * finished trials in number order as a resumed job's are, so the charts, Importance and the
   * recommendation are this job's model. Without it they kept asking the last job's tuner,
   * whose model is of other trials. Trials outside the job's space (imported ones whose names
   * are not mapped yet) are left out, as a warm start leaves them; a tuner that fails leaves no
   * model (the charts then say none was fitted), and the trials are still shown. With no
   * trials to tell, the last job's tuner goes all the same.
   */
  private async modelShown(job: JobDefinition, finished: readonly Trial[]): Promise<void> {
    if (this.active) return;
    this.tuner?.terminate();
    this.tuner = undefined;
    this.fittingShown = false;
    this.beliefVersion++;
    const plain = $state.snapshot(job) as JobDefinition;
    const points = [...finished]
      .sort((a, b) => a.number - b.number)
      .map((t) => ({ params: $state.snapshot(t.params) as Params, value: observedObjective(t) }))
      .filter((p) => paramsError(plain.parameters, p.params) === null);
    if (points.length === 0) return;
    const tuner = spawnTuner();
    this.tuner = tuner;
    this.fittingShown = true;
    const current = () => this.tuner === tuner;
    try {
      await tuner.api.start(plain.strategy, { space: plain.parameters, goal: plain.objective.goal, seed: plain.seed });
      // One call for all: told one by one, the display model would be refitted after each.
      await tuner.api.observeAll(points);
    } catch {
      if (!current()) return;
      tuner.terminate();
      this.tuner = undefined;
    } finally {
      if (current() || !this.tuner) {
        this.fittingShown = false;
        this.beliefVersion++;
      }
    }
  }

  /** Ends the tuner worker kept for the charts (the page is going away). */
  dispose(): void {
    this.tuner?.terminate();
    this.tuner = undefined;
  }

  /** A job that has ended and is kept in this browser can run again for a re-run: it resumes, with no new suggestion. */
  get canRunAgain(): boolean {
    return !this.active && !this.elsewhere && this.stored !== undefined && (this.status === 'completed' || this.status === 'stopped');
  }

  /**
   * Why Re-run cannot run here, said next to the disabled button (a tooltip alone is missed),
   * with what would let it; undefined while it can.
   */
  get rerunUnavailable(): string | undefined {
    if (this.active || this.canRunAgain) return undefined;
    if (this.elsewhere) return 'Another tab runs this job: re-run from there.';
    if (this.shownOnly) return 'Imported trials are only shown here: there is no job in this tab to run them in. To train these hyperparameters again: Copy as fixed, then Tune.';
    if (!this.stored) return 'This job was not saved in this browser, so it cannot run on. To train these hyperparameters again: Copy as fixed, then Tune.';
    if (this.status === 'failed') return 'A failed job does not run on. To train these hyperparameters again: Copy as fixed, then Tune.';
    return undefined;
  }

  /**
   * Runs these hyperparameters again with a new seed (Re-run), marked as a re-run of trial
   * `rerunOf` when given. While the job runs the trial joins it; once a kept job has ended it
   * resumes for this trial alone (max jobs is spent, so the tuner suggests nothing new). A
   * refusal is shown as the job's message.
   */
  enqueue(params: Params, rerunOf?: number): void {
    // Plain data only: the params cross into the tuner worker, which cannot receive reactive proxies.
    const point = $state.snapshot(params) as Params;
    const refused = (error: Error) => (this.message = error.message);
    if (this.active && this.runner) {
      this.runner.enqueue(point, { rerunOf }).catch(refused);
      return;
    }
    if (!this.canRunAgain) {
      this.message = 'There is no job to run these hyperparameters in.';
      return;
    }
    void this.resume((runner) => void runner.enqueue(point, { rerunOf }).catch(refused));
  }

  stop(mode: StopMode): void {
    this.cancelTakeOver = true;
    this.runner?.stop(mode);
  }

  stopTrial(id: string, mode: StopMode): void {
    this.runner?.stopTrial(id, mode);
  }
}

/** A trial as the runner and the charts take it: without the store's fields. */
function plainTrial(trial: Trial | StoredTrial): Trial {
  const { jobId: _, logsDropped: __, ...rest } = trial as StoredTrial;
  return { ...rest, logs: [...rest.logs] } as Trial;
}

/** The page's test hook for a tuner that crashes mid-job: `?tuner-fault=crash` (see docs/DECISIONS.md). */
function tunerFault(): TunerFault {
  return new URLSearchParams(globalThis.location?.search).get('tuner-fault') === 'crash' ? 'crash' : 'none';
}
