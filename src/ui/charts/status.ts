import type { Trial } from '../../lib/job';

/**
 * What a trial's mark says about how it went: its status, with a stopped trial split by who
 * stopped it. A trial stopped because the job failed (neither the rule nor the user asked)
 * counts as failed: nobody chose to stop it, and the job's failure is why it has no result.
 */
export type MarkStatus = 'running' | 'completed' | 'stopped-rule' | 'stopped-user' | 'failed';

/** The five outcomes in legend order. */
export const MARK_STATUSES: readonly MarkStatus[] = ['running', 'completed', 'stopped-rule', 'stopped-user', 'failed'];

export const MARK_STATUS_LABELS: Record<MarkStatus, string> = {
  running: 'running',
  completed: 'completed',
  'stopped-rule': 'stopped by the rule',
  'stopped-user': 'stopped by the user',
  failed: 'failed',
};

/** Colours from app.css's variables, so that both colour schemes read. */
export const MARK_STATUS_COLOURS: Record<MarkStatus, string> = {
  running: 'var(--info)',
  completed: 'var(--ok)',
  'stopped-rule': 'var(--warn)',
  'stopped-user': 'var(--muted)',
  failed: 'var(--error)',
};

/** Undefined for a pending trial, which has no mark. */
export function markStatus(trial: Trial): MarkStatus | undefined {
  switch (trial.status) {
    case 'pending':
      return undefined;
    case 'stopped':
      return trial.stoppedBy === 'rule' ? 'stopped-rule' : trial.stoppedBy === 'user' ? 'stopped-user' : 'failed';
    default:
      return trial.status;
  }
}

export const markColour = (trial: Trial): string => MARK_STATUS_COLOURS[markStatus(trial) ?? 'running'];
