// Errors found while loading or validating a playbook. Their text follows Ansible's
// AnsibleParserError layout (message, position, offending line with a caret) so that users
// get the same pointers they know; the CLI prints them after "ERROR! ".
import { readFileSync } from 'node:fs'
import type { SourcePosition } from '../executor/events.js'

export class PlaybookError extends Error {
  constructor(
    message: string,
    readonly position?: SourcePosition,
    /** ansible-playbook's exit code: 4 for parse errors, 1 for errors found while running. */
    readonly exitCode: 1 | 4 | 5 = 4
  ) {
    super(message)
    this.name = 'PlaybookError'
  }

  /** The full text Ansible prints after `ERROR! `. */
  describe(): string {
    if (!this.position) return this.message
    return `${this.message}\n\n${positionDetails(this.position)}`
  }
}

/** Ansible's "The error appears to be in ..." block, with the offending line and a caret. */
export function positionDetails(position: SourcePosition): string {
  const column = position.column ?? 1
  let text =
    `The error appears to be in '${position.file}': line ${position.line}, column ${column}, but may\n` +
    'be elsewhere in the file depending on the exact syntax problem.\n'
  let lines: string[]
  try {
    lines = readFileSync(position.file, 'utf8').split('\n')
  } catch {
    return text
  }
  const target = lines[position.line - 1]
  if (target === undefined) return text
  const previous = position.line >= 2 ? lines[position.line - 2] : ''
  text += '\nThe offending line appears to be:\n\n'
  if (previous.trim() !== '') text += `${previous}\n`
  text += `${target}\n${' '.repeat(Math.max(column - 1, 0))}^ here\n`
  return text
}

/** How ansible-playbook prints an error on stderr: `ERROR! ` and one final newline. */
export function errorLine(message: string): string {
  return `ERROR! ${message}${message.endsWith('\n') ? '' : '\n'}`
}
