// metav1.Status objects: the shape every Kubernetes error and exec outcome takes, so kubectl
// prints its usual messages ("You must be logged in…", `pods "x" not found`, …).

export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Success' | 'Failure'
  message?: string
  reason?: string
  details?: { name?: string; kind?: string; causes?: { reason?: string; message: string }[] }
  code?: number
}

export function failure(
  code: number,
  reason: string,
  message: string,
  details?: Status['details']
): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code
  }
}

export const unauthorized = (): Status => failure(401, 'Unauthorized', 'Unauthorized')
export const notFound = (kind: string, name: string): Status =>
  failure(404, 'NotFound', `${kind} "${name}" not found`, { name, kind })
export const badRequest = (message: string): Status => failure(400, 'BadRequest', message)
export const pathNotFound = (): Status =>
  failure(404, 'NotFound', 'the server could not find the requested resource')
export const methodNotAllowed = (method: string): Status =>
  failure(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`
  )
export const internalError = (message: string): Status =>
  failure(500, 'InternalError', `Internal error occurred: ${message}`)

export const execSuccess = (): Status => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success'
})

/** What the kubelet reports for a non-zero exit; kubectl turns it into its own exit code. */
export function execExitCode(argv: string[], code: number): Status {
  return failure(
    500,
    'NonZeroExitCode',
    `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    { causes: [{ reason: 'ExitCode', message: String(code) }] }
  )
}
