// Unified diffs of the `diff` entries modules return (before/after text), for the job summary.
// Common prefix and suffix are trimmed first: config edits touch a few lines of a file, so the
// quadratic line matching only ever sees the small changed middle.

/** Middle sizes above this product are shown as a whole replacement instead of being matched. */
const MAX_MATCH_CELLS = 4_000_000

export interface UnifiedDiffOptions {
  fromFile?: string
  toFile?: string
  context?: number
}

type Line = { kind: ' ' | '-' | '+'; text: string }

export function unifiedDiff(
  before: string,
  after: string,
  options: UnifiedDiffOptions = {}
): string {
  if (before === after) return ''
  const context = options.context ?? 3
  const lines = diffLines(splitLines(before), splitLines(after))
  const header = `--- ${options.fromFile ?? 'before'}\n+++ ${options.toFile ?? 'after'}\n`
  return header + hunks(lines, context).join('')
}

function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  // Ansible's callback marks a last line without newline as part of that line, so `hi` and
  // `hi\n` differ and the marker is printed under it like diff(1) does.
  else lines[lines.length - 1] += '\n\\ No newline at end of file'
  return lines
}

function diffLines(before: string[], after: string[]): Line[] {
  let prefix = 0
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix])
    prefix++
  let suffix = 0
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix++
  }
  const oldMiddle = before.slice(prefix, before.length - suffix)
  const newMiddle = after.slice(prefix, after.length - suffix)
  return [
    ...before.slice(0, prefix).map(text => ({ kind: ' ' as const, text })),
    ...matchMiddle(oldMiddle, newMiddle),
    ...before.slice(before.length - suffix).map(text => ({ kind: ' ' as const, text }))
  ]
}

/** Longest-common-subsequence matching of the changed middle. */
function matchMiddle(before: string[], after: string[]): Line[] {
  if (before.length * after.length > MAX_MATCH_CELLS) {
    return [
      ...before.map(text => ({ kind: '-' as const, text })),
      ...after.map(text => ({ kind: '+' as const, text }))
    ]
  }
  const width = after.length + 1
  const common = new Uint32Array((before.length + 1) * width)
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      common[i * width + j] =
        before[i] === after[j]
          ? common[(i + 1) * width + j + 1] + 1
          : Math.max(common[(i + 1) * width + j], common[i * width + j + 1])
    }
  }
  const lines: Line[] = []
  let i = 0
  let j = 0
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      lines.push({ kind: ' ', text: before[i++] })
      j++
    } else if (
      i < before.length &&
      (j === after.length || common[(i + 1) * width + j] >= common[i * width + j + 1])
    ) {
      lines.push({ kind: '-', text: before[i++] })
    } else {
      lines.push({ kind: '+', text: after[j++] })
    }
  }
  return lines
}

function hunks(lines: Line[], context: number): string[] {
  const changed = lines
    .map((line, index) => (line.kind === ' ' ? -1 : index))
    .filter(index => index >= 0)
  const output: string[] = []
  let start = 0
  while (start < changed.length) {
    let end = start
    while (end + 1 < changed.length && changed[end + 1] - changed[end] <= 2 * context) end++
    const from = Math.max(0, changed[start] - context)
    const to = Math.min(lines.length, changed[end] + context + 1)
    output.push(hunk(lines, from, to))
    start = end + 1
  }
  return output
}

function hunk(lines: Line[], from: number, to: number): string {
  const oldStart = lines.slice(0, from).filter(line => line.kind !== '+').length + 1
  const newStart = lines.slice(0, from).filter(line => line.kind !== '-').length + 1
  const body = lines.slice(from, to)
  const oldCount = body.filter(line => line.kind !== '+').length
  const newCount = body.filter(line => line.kind !== '-').length
  const range = (start: number, count: number): string =>
    count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`
  return `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n${body.map(l => `${l.kind}${l.text}\n`).join('')}`
}
