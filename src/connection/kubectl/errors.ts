// What kubectl's stderr says about a failed exec: the host is unreachable (pod gone, refused,
// auth or TLS failure), the API hiccuped (worth a retry for a safe operation), the container
// has no shell, or the remote command merely exited non-zero (a result, not an error).

export type KubectlFailure = 'unreachable' | 'transient' | 'no-shell' | 'exit-code' | 'unknown'

const NO_SHELL = /executable file not found|no such file or directory: unknown|exec: "[^"]*": stat/i

const UNREACHABLE = [
  /\(NotFound\)/,
  /connection refused|was refused/i,
  /no such host/i,
  /Unauthorized|You must be logged in/i,
  /\(Forbidden\)|forbidden:/i,
  /x509:|tls:|certificate/i,
  /container not found|is not valid for pod|does not have a host assigned/i,
  /cannot exec into a container in a completed pod|container .* is not running/i,
  /invalid configuration|context .* does not exist|no configuration has been provided/i
]

const TRANSIENT = [
  /connection reset by peer/i,
  /\bEOF\b/,
  /broken pipe/i,
  /i\/o timeout|TLS handshake timeout|Client\.Timeout/i,
  /\b50[0-4]\b|InternalError|ServiceUnavailable|Internal error occurred|the server is currently unable/i,
  /websocket: close|unexpected EOF|stream error|http2:/i,
  /error dialing backend|Timeout occurred/i
]

const EXIT_CODE = /command terminated with exit code (\d+)/

/** The remote command's rc when kubectl reports one ("command terminated with exit code N"). */
export function remoteExitCode(stderr: string): number | undefined {
  const match = EXIT_CODE.exec(stderr)
  return match ? Number(match[1]) : undefined
}

export function classifyKubectlError(stderr: string): KubectlFailure {
  if (remoteExitCode(stderr) !== undefined) return 'exit-code'
  if (NO_SHELL.test(stderr)) return 'no-shell'
  if (UNREACHABLE.some(pattern => pattern.test(stderr))) return 'unreachable'
  if (TRANSIENT.some(pattern => pattern.test(stderr))) return 'transient'
  return 'unknown'
}

/** kubectl's own message without client-go's repeated log-line noise (E1127 … memcache.go …). */
export function kubectlMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map(line => line.trim())
    .filter(line => line !== '' && !/^[EWI]\d{4} \d\d:\d\d:\d\d\.\d+\s/.test(line))
  return (lines.length > 0 ? lines : stderr.trim().split('\n')).slice(-3).join(' ').trim()
}
