// Inventory and vars files through the shared PyYAML-compatible loader, with its errors worded
// as Ansible's inventory plugins report them.
import { YamlLoadError, loadYaml as loadPyYaml } from '../yaml/load.js'
import { SourceParseError } from './data.js'
import { InventoryError } from './errors.js'

export { nonStringKeysOf } from '../yaml/load.js'

/**
 * Parse one YAML (or JSON) document like Ansible's DataLoader. Syntax errors are
 * SourceParseErrors (Ansible reports them as a failed parse); `!vault` is an InventoryError.
 */
export function loadYaml(text: string, file: string, warn: (message: string) => void): unknown {
  try {
    return loadPyYaml(text, file, warn)
  } catch (error) {
    if (!(error instanceof YamlLoadError)) throw error
    const { line, column } = error.position
    if (error.kind === 'vault') {
      throw new InventoryError(
        `${error.reason}; pass secrets with extra vars or the action inputs`,
        file,
        line
      )
    }
    throw new SourceParseError(
      `Syntax Error while loading YAML (${file}, line ${line}, column ${column}): ${error.reason}`
    )
  }
}
