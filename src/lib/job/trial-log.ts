import type { JobDefinition } from '../config';
import { MetricTracker, parseEngineLine } from '../metrics';
import type { Trial } from './types';

/**
 * One log line of a trial, read into it: appended to its log, the engine's own lines recorded
 * (epochs, final line, resolved hyperparameters) and every metric definition's match. True when
 * the line gave the objective a new value.
 */
export function readTrialLine(trial: Trial, line: string, tracker: MetricTracker, objectiveMetric: string): boolean {
  trial.logs.push(line);
  recordEngineLine(trial, line);
  const found = tracker.push(line);
  // The tracker replaces a history array on each match rather than mutating it, so sharing it is safe.
  for (const name of Object.keys(found)) trial.metrics[name] = tracker.values(name);
  const objective = tracker.last(objectiveMetric);
  if (objective !== undefined) trial.objective = objective;
  return found[objectiveMetric] !== undefined;
}

/** A trial's whole log read at once (a trial rebuilt from a bus's history), as the runner reads it line by line. */
export function readTrialLog(job: JobDefinition, trial: Trial, lines: string[]): Trial {
  const tracker = new MetricTracker(job.metricDefinitions);
  for (const line of lines) readTrialLine(trial, line, tracker, job.objective.metric);
  return trial;
}

/**
 * The engine's own lines, read whatever the metric definitions are: they feed the learning curves,
 * the images/s and duration columns, and the resolved hyperparameters. A new epochs array on each
 * line, like the tracker's histories, so trial events already sent keep what they held.
 */
function recordEngineLine(trial: Trial, line: string): void {
  const parsed = parseEngineLine(line);
  if (parsed?.kind === 'epoch') {
    const { kind: _, ...epoch } = parsed;
    trial.epochs = [...trial.epochs, epoch];
  } else if (parsed?.kind === 'final') {
    const { kind: _, ...final } = parsed;
    trial.final = final;
  } else if (parsed?.kind === 'config') {
    trial.resolved = parsed.hyperparameters;
    trial.recipeVersion = parsed.recipeVersion;
  }
}
