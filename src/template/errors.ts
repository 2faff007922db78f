// Errors the templar raises. The executor turns them into a failed task whose `msg` starts
// the way Ansible's does ("The task includes an option with an undefined variable. The error
// was: ..." for UndefinedVariableError, the message itself otherwise) and adds the position.

export class TemplateError extends Error {
  override name = 'TemplateError'
}

/** A variable, attribute or item that does not exist: `'x' is undefined`, `'dict object' has no attribute 'y'`. */
export class UndefinedVariableError extends TemplateError {
  override name = 'UndefinedVariableError'
}

/** A `when`/`changed_when`/`failed_when`/`until` condition that could not be evaluated. */
export class ConditionalError extends TemplateError {
  override name = 'ConditionalError'
}
