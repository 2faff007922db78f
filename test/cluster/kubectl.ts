// Runs the real kubectl against a test cluster, asynchronously: the API server lives in the
// calling process, so a synchronous child (execFileSync) would block it and time out.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'

export interface KubectlRun {
  code: number
  stdout: Buffer
  stderr: string
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number
}

export interface KubectlRunOptions {
  /** kubectl binary; default `kubectl` on PATH. */
  kubectl?: string
  stdin?: Buffer | string
  env?: Record<string, string>
  timeoutMs?: number
  /** Kills kubectl (SIGKILL) when aborted, like a client that goes away. */
  signal?: AbortSignal
}

export function runKubectl(
  kubeconfigPath: string,
  args: string[],
  options: KubectlRunOptions = {}
): Promise<KubectlRun> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(options.kubectl ?? 'kubectl', ['--kubeconfig', kubeconfigPath, ...args], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        ...options.env
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
      killSignal: 'SIGKILL'
    })
    const stdout: Buffer[] = []
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdin.on('error', () => {
      // kubectl may exit before reading all input (e.g. the pod is missing).
    })
    child.stdin.end(options.stdin ?? '')
    child.on('error', error => {
      if (error.name !== 'AbortError') reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout),
        stderr,
        ms: Date.now() - started
      })
    })
  })
}

/** Every kubectl binary on this machine, newest first: /usr/bin/kubectl and gcloud's kubectl.1.NN. */
export function installedKubectls(): string[] {
  const found = ['/usr/bin/kubectl']
  for (let minor = 40; minor >= 20; minor--)
    found.push(`/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`)
  return found.filter(path => existsSync(path))
}
