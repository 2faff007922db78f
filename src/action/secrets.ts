// Every secret value the action learns (token, kubeconfig and the credentials inside it) is
// registered here first: `core.setSecret` makes the runner mask it in the log, and the same list
// scrubs the outputs, the job summary and the report files, which the runner does not mask.
import * as core from '@actions/core'

/** Shorter values would scrub ordinary words out of reports; the runner still masks them in logs. */
const MIN_SCRUB_LENGTH = 4

export class SecretRegistry {
  private readonly values = new Set<string>()

  add(value: string | undefined): void {
    if (value === undefined || value.trim() === '') return
    for (const candidate of [value, value.trim()]) {
      if (this.values.has(candidate)) continue
      this.values.add(candidate)
      core.setSecret(candidate)
    }
  }

  /** Replaces every registered value, raw or JSON-escaped, by `***`. */
  scrub(text: string): string {
    let scrubbed = text
    const longestFirst = [...this.values]
      .filter(v => v.length >= MIN_SCRUB_LENGTH)
      .sort((a, b) => b.length - a.length)
    for (const value of longestFirst) {
      scrubbed = scrubbed.split(value).join('***')
      const escaped = JSON.stringify(value).slice(1, -1)
      if (escaped !== value) scrubbed = scrubbed.split(escaped).join('***')
    }
    return scrubbed
  }
}
