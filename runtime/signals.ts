// The signals that ask a command to stop: Ctrl-C, `kill` or a job scheduler, a closed terminal. Whoever
// starts child processes passes these on, so that no child outlives it.

import { constants } from "node:os";

export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The exit status a shell reports for a command that a signal ended: 128 + the signal's number. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}
