import type { JobDefinition } from '../config/job';
import type { WarmStartObservation } from '../job/runner';
import type { Trial } from '../job/types';
import type { CategoryValue, Parameter } from '../space';

/** A name in an imported file that is not an engine hyperparameter, held out of the job until it is mapped. */
export interface UnknownName {
  name: string;
  /** Searched (a range, or a tuned value of a trial) or fixed (a static hyperparameter). */
  where: 'search' | 'fixed';
  /** The engine hyperparameter it most likely means (`suggestName`), if any. */
  suggestion?: string;
  /** The range it had, for a searched name from a tuning job's ranges. */
  parameter?: Parameter;
  /** The value it had, for a fixed name. */
  value?: CategoryValue | boolean;
}

/** What an import could not take over as it is: nothing in the file is dropped without a line here. */
export interface ImportReport {
  /** What was changed on the way in, or needs the user's eye (Hyperband read as random, a default taken). */
  notices: string[];
  /** Settings with no equivalent in TabTune, left out (`TuningJobCompletionCriteria.ConvergenceDetected`). */
  unsupported: string[];
  /** SageMaker's own keys and cloud settings that mean nothing in the browser (`sagemaker_program`, `RoleArn`), each once. */
  ignored: string[];
  unknownNames: UnknownName[];
}

/** Why SageMaker training jobs were not taken as observations, and how many for each reason. */
export interface SkippedCount {
  reason: string;
  count: number;
}

/** Where a tuning job definition came from. */
export type SageMakerSource = 'HyperParameterTuningJobConfig' | 'CreateHyperParameterTuningJob' | 'DescribeHyperParameterTuningJob';

export type ImportResult =
  | { kind: 'error'; message: string }
  /** A TabTune export (or a bare job definition, with no trials): the job and its trials, as they were. */
  | { kind: 'tabtune'; job: JobDefinition; trials: Trial[]; exportedAt?: string; report: ImportReport }
  /** A SageMaker tuning job: the job definition to fill the form with. `name` is the tuning job's, when the file has one. */
  | { kind: 'sagemaker-job'; source: SageMakerSource; name?: string; job: JobDefinition; report: ImportReport }
  /**
   * Pages of ListTrainingJobsForHyperParameterTuningJob: each completed training job with an
   * objective as a completed trial and as a warm-start observation; the rest counted by reason.
   */
  | { kind: 'sagemaker-trials'; pages: number; trials: Trial[]; observations: WarmStartObservation[]; skipped: SkippedCount[]; report: ImportReport };

export type ImportSuccess = Exclude<ImportResult, { kind: 'error' }>;

export function emptyReport(): ImportReport {
  return { notices: [], unsupported: [], ignored: [], unknownNames: [] };
}
