// Output of a bench run: a table for people, one JSON line per scenario for machines.
import type { ScenarioResult } from './scenarios.js'
import { round } from './stats.js'

const pad = (text: string, width: number): string => text.padEnd(width)

export function formatTable(results: ScenarioResult[]): string {
  const header = ['scenario', 'tool', 'median s', 'kubectl procs', 'peak RSS MiB', 'runs (failed)']
  const rows: string[][] = []
  for (const result of results) {
    for (const [tool, stats] of Object.entries(result.tools)) {
      rows.push([
        `${result.scenario}`,
        tool,
        String(round(stats.medianMs / 1000)),
        String(stats.medianKubectlProcesses),
        String(stats.medianPeakRssMiB),
        `${stats.runs} (${stats.failures}${stats.timeouts ? `, ${stats.timeouts} timed out` : ''})`
      ])
    }
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map(row => row[column].length))
  )
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => pad(cell, widths[column]))
      .join('  ')
      .trimEnd()
  const lines = [line(header), line(widths.map(width => '-'.repeat(width))), ...rows.map(line)]
  for (const result of results) {
    lines.push('', `scenario ${result.scenario}: ${result.title}`)
    if (result.ratio !== undefined)
      lines.push(`  ours/ansible = ${result.ratio} (${round(1 / result.ratio, 1)}x faster)`)
    for (const [name, value] of Object.entries(result.figures)) lines.push(`  ${name} = ${value}`)
    for (const note of result.notes) lines.push(`  note: ${note}`)
    for (const [tool, stats] of Object.entries(result.tools))
      if (stats.failure)
        lines.push(
          `  ${tool} failed ${stats.failures}x; last output:\n    ${stats.failure.replace(/\n/g, '\n    ')}`
        )
  }
  return lines.join('\n')
}

export function jsonLine(result: ScenarioResult): string {
  const tools = Object.fromEntries(
    Object.entries(result.tools).map(([tool, stats]) => [
      tool,
      {
        medianMs: stats.medianMs,
        kubectlProcesses: stats.medianKubectlProcesses,
        peakRssMiB: stats.medianPeakRssMiB,
        runs: stats.runs,
        failures: stats.failures,
        timeouts: stats.timeouts
      }
    ])
  )
  return JSON.stringify({
    scenario: result.scenario,
    title: result.title,
    params: result.params,
    tools,
    ratio: result.ratio,
    ...result.figures
  })
}
