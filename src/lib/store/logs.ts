/**
 * A stored trial keeps at most LOG_LINE_CAP of its log lines: the first LOG_HEAD_LINES (the
 * `Hyperparameters` line and the first epochs) and the last LOG_LINE_CAP − LOG_HEAD_LINES, with
 * one marker line between them saying how many were dropped. The metrics, epochs and final line
 * are stored apart from the log, whole, so nothing the charts or the tuner read is lost.
 */
export const LOG_LINE_CAP = 2000;
export const LOG_HEAD_LINES = 200;

export const droppedMarker = (dropped: number) => `[TabTune kept the first ${LOG_HEAD_LINES} and the last ${LOG_LINE_CAP - LOG_HEAD_LINES} log lines: ${dropped} lines were dropped here]`;

/** The lines as stored, and how many were dropped (0 when the log fits). */
export function capLog(lines: readonly string[]): { logs: string[]; dropped: number } {
  if (lines.length <= LOG_LINE_CAP) return { logs: [...lines], dropped: 0 };
  const dropped = lines.length - LOG_LINE_CAP;
  return {
    logs: [...lines.slice(0, LOG_HEAD_LINES), droppedMarker(dropped), ...lines.slice(lines.length - (LOG_LINE_CAP - LOG_HEAD_LINES))],
    dropped,
  };
}
