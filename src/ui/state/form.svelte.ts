import { defaultJob } from '../../lib/config';
import { formToJob, jobToForm, newKey, type JobFormData } from './form-model';

/** The editable job definition, validated on every keystroke. */
export class JobForm {
  data = $state<JobFormData>(jobToForm(defaultJob()));
  readonly result = $derived(formToJob(this.data));
  readonly valid = $derived(this.result.errors.size === 0);

  error(field: string): string | undefined {
    return this.result.errors.get(field);
  }

  addParameter(): void {
    this.data.rows.push({ key: newKey(), name: '', type: 'continuous', min: '0', max: '1', scale: 'linear', values: '' });
  }

  removeParameter(key: number): void {
    this.data.rows = this.data.rows.filter((r) => r.key !== key);
  }

  addFixed(): void {
    this.data.fixed.push({ key: newKey(), name: '', value: '' });
  }

  /** Sets a fixed hyperparameter, adding its row when there is none. */
  setFixed(name: string, value: string): void {
    const row = this.data.fixed.find((r) => r.name.trim() === name);
    if (row) row.value = value;
    else this.data.fixed.push({ key: newKey(), name, value });
  }

  removeFixed(key: number): void {
    this.data.fixed = this.data.fixed.filter((r) => r.key !== key);
  }
}
