// A task-level failure raised while preparing or running a task (templating, loop data,
// conditionals, bad module arguments). The executor turns it into a failed result.
export class TaskFailure extends Error {
  constructor(
    message: string,
    readonly extra: Record<string, unknown> = {}
  ) {
    super(message)
    this.name = 'TaskFailure'
  }
}
