// What a CLI subcommand may touch of its process: injected so tests run commands in-process and
// capture their output without spawning node.

export interface CliIO {
  stdout(text: string): void
  stderr(text: string): void
  cwd: string
  env: Record<string, string | undefined>
}

export function processIO(): CliIO {
  return {
    stdout: text => void process.stdout.write(text),
    stderr: text => void process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env
  }
}
