import { defaultJob, PRESETS, trainingWarnings, validateJob, type JobDefinition, type Preset } from '../../lib/config';
import { defaultSearchParameter } from '../../lib/config/search-defaults';
import { hyperparameterSpec, MODEL_NAMES, recipeDefault, TEST_ONLY, type ModelName, type TrainConfig } from '../../lib/recipe/hyperparameters';
import { formToJob, jobToForm, newKey, sameJob, typedToForm, type JobFormData, type ParamRow } from './form-model';
import type { TypedJob } from '../../lib/config/link';
import { probeRegexes } from './regex-probe';

/** Each preset's job as the form produces it, to tell whether the form still equals one. */
const PRESET_JOBS = PRESETS.map((preset) => ({ preset, job: formToJob(jobToForm(preset.job)).job }));

/** The editable job definition, validated on every keystroke. */
export class JobForm {
  data = $state<JobFormData>(jobToForm(defaultJob()));
  readonly result = $derived(formToJob(this.data));
  /**
   * Metric regexes that came from outside (a share link) and must not run on the page: being timed
   * (`checking`) or refused, with the reason. A regex the user edits is their own and leaves these.
   */
  regexChecks = $state.raw<ReadonlyMap<string, 'checking' | { refused: string }>>(new Map());
  /** A metric regex the page must not run yet or at all. */
  unsafeRegex(regex: string): boolean {
    return this.regexChecks.has(regex);
  }
  readonly checkingRegexes = $derived(this.data.metrics.some((m) => this.regexChecks.get(m.regex) === 'checking'));
  private readonly refusedRegexes = $derived(this.data.metrics.some((m) => typeof this.regexChecks.get(m.regex) === 'object'));
  readonly valid = $derived(this.result.errors.size === 0 && !this.refusedRegexes);
  /** What a valid job may still mean that the user should know (val_size 0 on CIFAR-10 tunes on the test set); never blocks Tune. */
  readonly warnings = $derived(trainingWarnings(this.result.job.fixed, this.result.job.parameters));
  /** The warning about val_size, fixed or searched, shown beside Validation size. */
  readonly valSizeWarning = $derived(this.warnings.find((w) => w.path.endsWith('val_size'))?.message);
  /** The preset the form still equals, if any. */
  readonly preset = $derived<Preset | undefined>(PRESET_JOBS.find((p) => sameJob(p.job, this.result.job))?.preset);
  /** What the last model change kept of the user's own values. */
  modelNotice = $state<string | undefined>();
  /** Training values the user typed since the last preset (a preset's own values are not the user's). */
  private edited = $state<string[]>([]);

  error(field: string): string | undefined {
    const error = this.result.errors.get(field);
    const regexRow = /^metric\.(\d+)\.regex$/.exec(field);
    if (error || !regexRow) return error;
    const check = this.regexChecks.get(this.data.metrics.find((m) => m.key === Number(regexRow[1]))?.regex ?? '');
    return typeof check === 'object' ? check.refused : undefined;
  }

  /** Fills the form from a share link's fields as typed. */
  loadTyped(typed: TypedJob): void {
    this.data = typedToForm(typed);
    this.modelNotice = undefined;
    this.edited = [];
  }

  applyPreset(id: string): void {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset) return;
    this.data = jobToForm(structuredClone(preset.job));
    this.modelNotice = undefined;
    this.edited = [];
  }

  /**
   * Fills the form from a job definition in JSON (pasted or edited): what validates is taken,
   * what does not is reported and left at its default. Returns the problems, empty when none.
   */
  loadJson(text: string): string[] {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return [`Not JSON: ${(error as Error).message}`];
    }
    return this.load(raw);
  }

  /**
   * Fills the form from a job definition from any source (Apply JSON, an imported file): what
   * validates is taken, what does not is reported and left at its default. Returns the problems
   * outside the search space and the training values, which the form shows at their fields.
   */
  load(raw: unknown): string[] {
    const { job, errors } = validateJob(raw);
    void this.checkOutsideRegexes(job.metricDefinitions.map((m) => m.regex));
    const fixed = (raw as { fixed?: unknown })?.fixed;
    // Training values are shown against the engine's rules in the panel, so they are taken as given.
    if (fixed && typeof fixed === 'object' && !Array.isArray(fixed)) job.fixed = fixed as JobDefinition['fixed'];
    this.data = jobToForm(job);
    this.modelNotice = undefined;
    this.edited = [];
    return errors.filter((e) => !e.path.startsWith('fixed') && !e.path.startsWith('parameters')).map((e) => `${e.path}: ${e.message}`);
  }

  /**
   * Times regexes that came from outside (a link, an imported file, pasted JSON) in a worker before
   * the page runs them; Tune waits while they are checked, and a refused one blocks it.
   */
  async checkOutsideRegexes(regexes: string[]): Promise<void> {
    const checks = new Map(this.regexChecks);
    for (const regex of regexes) checks.set(regex, 'checking');
    this.regexChecks = checks;
    const refused = await probeRegexes(regexes);
    const after = new Map(this.regexChecks);
    for (const regex of regexes) {
      const reason = refused.get(regex);
      if (reason) after.set(regex, { refused: reason });
      else after.delete(regex);
    }
    this.regexChecks = after;
  }

  get model(): ModelName {
    const model = this.data.training.model?.trim();
    return (MODEL_NAMES as readonly string[]).includes(model) ? (model as ModelName) : 'tiny-cnn';
  }

  get dataSet(): TrainConfig['data'] {
    return this.data.training.data?.trim() === 'cifar10' ? 'cifar10' : 'synthetic';
  }

  /** A training hyperparameter as the form shows it: the value set, or the recipe's default. */
  value(name: string): string {
    return this.data.training[name] ?? String(recipeDefault(hyperparameterSpec(name)!, this.model, this.dataSet));
  }

  isSet(name: string): boolean {
    return name in this.data.training;
  }

  set(name: string, text: string): void {
    this.data.training[name] = text;
    if (!this.edited.includes(name)) this.edited.push(name);
  }

  /** Back to the model's recipe value. */
  reset(name: string): void {
    delete this.data.training[name];
    this.edited = this.edited.filter((n) => n !== name);
  }

  /**
   * Values the user did not type (left at the recipe, or set by a preset) follow the new model's
   * recipe, width included; values the user typed are kept, and the page says which.
   */
  setModel(model: string): void {
    for (const name of Object.keys(this.data.training)) {
      if (name !== 'data' && !this.edited.includes(name) && hyperparameterSpec(name) && !TEST_ONLY.has(name)) delete this.data.training[name];
    }
    this.data.training.model = model;
    const kept = this.edited.filter((name) => name !== 'model' && name !== 'data' && name in this.data.training && !this.searched(name));
    this.modelNotice = kept.length
      ? `Kept your ${kept.map((name) => `${name} = ${this.data.training[name]}`).join(', ')}; everything else follows the ${model} recipe.`
      : `Every training value now follows the ${model} recipe.`;
  }

  searched(name: string): boolean {
    return this.data.rows.some((row) => row.name.trim() === name);
  }

  /** Moves a training hyperparameter into the search space, with a range around its current value. */
  search(name: string): void {
    if (this.searched(name)) return;
    const parameter = defaultSearchParameter(name, this.value(name));
    const row: ParamRow = { key: newKey(), name, type: parameter.type, min: '', max: '', scale: 'auto', values: '' };
    if (parameter.type === 'categorical') row.values = parameter.values.join(', ');
    else Object.assign(row, { min: String(parameter.min), max: String(parameter.max), scale: parameter.scale ?? 'auto' });
    this.data.rows.push(row);
  }

  /** Takes a hyperparameter out of the search space: it is fixed again, at its value or default. */
  fix(name: string): void {
    this.data.rows = this.data.rows.filter((row) => row.name.trim() !== name);
  }

  addMetric(): void {
    this.data.metrics.push({ key: newKey(), name: '', regex: '' });
  }

  removeMetric(key: number): void {
    this.data.metrics = this.data.metrics.filter((m) => m.key !== key);
  }

  addParameter(): void {
    this.data.rows.push({ key: newKey(), name: '', type: 'continuous', min: '0', max: '1', scale: 'linear', values: '' });
  }

  removeParameter(key: number): void {
    this.data.rows = this.data.rows.filter((r) => r.key !== key);
  }
}
