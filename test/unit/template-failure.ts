// The error a template call throws, for tests that assert on its class and message.
export function failure(run: () => unknown): Error {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure')
}
