// Playbooks, task files and vars files through the shared PyYAML-compatible loader, with its
// errors worded as ansible-playbook reports them.
import { YamlLoadError, loadYaml } from '../yaml/load.js'
import { PlaybookError } from './errors.js'

export { positionOf, setPosition } from '../yaml/load.js'

/**
 * Parse YAML 1.1 text like PyYAML; `file` is used for positions, errors and `warn`ings
 * (duplicate keys, which Ansible warns about and then keeps the last value of).
 */
export function parseYaml(text: string, file: string, warn: (message: string) => void): unknown {
  try {
    return loadYaml(text, file, warn)
  } catch (error) {
    if (!(error instanceof YamlLoadError)) throw error
    if (error.kind === 'vault') {
      throw new PlaybookError(
        `V${error.reason.slice(1)}; pass secrets with -e or the action inputs`,
        error.position
      )
    }
    throw new PlaybookError(
      `We were unable to read either as JSON nor YAML, these are the errors we got from each:\nJSON: Expecting value: line 1 column 1 (char 0)\n\nSyntax Error while loading YAML.\n  ${error.reason}`,
      error.position
    )
  }
}
