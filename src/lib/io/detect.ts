import { validateJob } from '../config/job';
import { EXPORT_FORMAT } from './export-json';
import { parseJsonValues } from './json-values';
import { isRecord } from './quoting';
import { readTabTuneExport } from './read-tabtune';
import { readTrainingJobPages, readTuningJob } from './sagemaker';
import { emptyReport, type ImportResult } from './types';

const WHAT_WE_READ = 'Import reads TabTune exports and job definitions, and SageMaker tuning job JSON (a config, a Create request, a Describe output) or ListTrainingJobsForHyperParameterTuningJob pages.';

/**
 * Reads any file the page's Import accepts, telling its kind from its content, and never throws:
 * a file that is not JSON, or JSON that is none of these kinds, is `{kind: 'error', message}`.
 *
 * - a TabTune export (`format: 'tabtune-job'`), or a bare job definition (Job definition JSON);
 * - a SageMaker `HyperParameterTuningJobConfig`, a `CreateHyperParameterTuningJob` request or a
 *   `DescribeHyperParameterTuningJob` response: a job definition for the form;
 * - pages of `ListTrainingJobsForHyperParameterTuningJob` (one object, a JSON array of them, or
 *   several written one after another): completed trials and warm-start observations.
 */
export function readImport(text: string): ImportResult {
  try {
    return dispatch(text);
  } catch (error) {
    // The readers are written not to throw; this is the promise kept whatever they missed.
    return { kind: 'error', message: `The file could not be read: ${(error as Error).message}` };
  }
}

function dispatch(text: string): ImportResult {
  if (!text.trim()) return { kind: 'error', message: 'The file is empty.' };
  let values: unknown[];
  try {
    values = parseJsonValues(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { kind: 'error', message: `The file is not JSON (${(error as Error).message}). ${WHAT_WE_READ}` };
  }
  // One array of pages reads like pages written one after another.
  const items = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
  if (items.length > 0 && items.every((item) => isRecord(item) && Array.isArray(item.TrainingJobSummaries))) {
    return readTrainingJobPages(items as Record<string, unknown>[]);
  }
  const file = values.length === 1 && isRecord(values[0]) ? values[0] : undefined;
  if (!file) return { kind: 'error', message: `This is not a file TabTune reads. ${WHAT_WE_READ}` };

  if (file.format === EXPORT_FORMAT) return readTabTuneExport(file);
  if ('HyperParameterTuningJobConfig' in file) {
    if (!isRecord(file.HyperParameterTuningJobConfig)) return { kind: 'error', message: 'HyperParameterTuningJobConfig must be an object.' };
    if ('HyperParameterTuningJobStatus' in file || 'HyperParameterTuningJobArn' in file) return readTuningJob(file, 'DescribeHyperParameterTuningJob');
    if ('TrainingJobDefinition' in file || 'TrainingJobDefinitions' in file || 'HyperParameterTuningJobName' in file) return readTuningJob(file, 'CreateHyperParameterTuningJob');
    return readTuningJob(file, 'HyperParameterTuningJobConfig');
  }
  if ('ParameterRanges' in file || 'HyperParameterTuningJobObjective' in file || ('ResourceLimits' in file && 'Strategy' in file)) {
    return readTuningJob(file, 'HyperParameterTuningJobConfig');
  }
  if (isRecord(file.parameters) && ('objective' in file || 'metricDefinitions' in file)) {
    const { job, errors } = validateJob(file);
    const report = emptyReport();
    for (const error of errors) report.notices.push(`The job's ${error.path}: ${error.message}`);
    return { kind: 'tabtune', job, trials: [], report };
  }
  return { kind: 'error', message: `This is not a file TabTune reads. ${WHAT_WE_READ}` };
}
