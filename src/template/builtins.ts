// Registers Ansible's filters, tests and global functions once, whichever module of the templar
// is imported first (the Templar constructor calls this).
import { registerCollectionFilters } from './filters/collections.js'
import { registerDataFilters } from './filters/data.js'
import { registerHigherOrderFilters } from './filters/higher.js'
import { registerPythonMethods } from './filters/pymethods.js'
import { registerStringFilters } from './filters/strings.js'
import { registerFunctions } from './functions.js'
import { registerTests } from './tests.js'

let registered = false

export function registerBuiltins(): void {
  if (registered) return
  registered = true
  registerStringFilters()
  registerCollectionFilters()
  registerDataFilters()
  registerHigherOrderFilters()
  registerPythonMethods()
  registerTests()
  registerFunctions()
}
