// Small Markdown/HTML building blocks for the job summary: escaping that GitHub's renderer
// respects, fences that survive backticks in the content, and size-bounded sections.

/** Escapes text for a Markdown table cell or inline HTML (pipes, angle brackets, newlines). */
export function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(text: string, language = ''): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(Math.max(3, longestRun + 1))
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}\n`
}

export function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n\n${body}\n</details>\n`
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n'
}

/** The last `maxLines` lines and at most `maxChars` characters of a stream, marked when cut. */
export function tail(text: string, maxLines: number, maxChars: number): string {
  const whole = text.replace(/\n$/, '')
  let kept = whole.split('\n').slice(-maxLines).join('\n')
  if (kept.length > maxChars) kept = kept.slice(-maxChars)
  return kept.length < whole.length ? `… (earlier output cut)\n${kept}` : kept
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const minutes = Math.floor(ms / 60_000)
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** Collects items up to a byte budget; what does not fit is counted, not cut mid-markup. */
export class BoundedSection {
  private readonly parts: string[] = []
  private used = 0
  omitted = 0

  constructor(private readonly budgetBytes: number) {}

  add(text: string): boolean {
    const size = Buffer.byteLength(text)
    if (this.omitted > 0 || this.used + size > this.budgetBytes) {
      this.omitted++
      return false
    }
    this.parts.push(text)
    this.used += size
    return true
  }

  get empty(): boolean {
    return this.parts.length === 0 && this.omitted === 0
  }

  text(omittedNote: (count: number) => string): string {
    return this.parts.join('') + (this.omitted > 0 ? `\n_${omittedNote(this.omitted)}_\n` : '')
  }
}
