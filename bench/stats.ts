// Medians over runs: robust to the one run a busy machine slowed down.
import type { Measurement } from './tools.js'

export interface ToolStats {
  runs: number
  failures: number
  /** Runs killed at the timeout (also counted in failures). */
  timeouts: number
  medianMs: number
  medianKubectlProcesses: number
  medianPeakRssMiB: number
  /** The first failing run's output tail, if any run failed. */
  failure?: string
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

export function summarize(measurements: Measurement[]): ToolStats {
  const failed = measurements.filter(run => run.code !== 0)
  return {
    runs: measurements.length,
    failures: failed.length,
    timeouts: measurements.filter(run => run.timedOut).length,
    medianMs: median(measurements.map(run => run.ms)),
    medianKubectlProcesses: median(measurements.map(run => run.kubectlProcesses)),
    medianPeakRssMiB: median(measurements.map(run => run.peakRssMiB)),
    ...(failed[0]?.failure ? { failure: failed[0].failure } : {})
  }
}

export const round = (value: number, digits = 2): number =>
  Math.round(value * 10 ** digits) / 10 ** digits
