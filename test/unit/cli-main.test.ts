import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import type { CliIO } from '../../src/cli/io.js'
import { version } from '../../src/version.js'

function capture(): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd: process.cwd(),
    env: {},
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text)
  }
  return io
}

describe('kubectl-ansible dispatcher', () => {
  it('prints usage for --help and exits 0', async () => {
    const io = capture()
    expect(await main(['--help'], io)).toBe(0)
    expect(io.out).toMatch(/^usage: kubectl-ansible <command>/)
    expect(io.out).toContain('playbook  -i INV PLAYBOOK')
  })

  it('prints usage and exits 2 without a command, like argparse', async () => {
    const io = capture()
    expect(await main([], io)).toBe(2)
    expect(io.out).toContain('usage:')
  })

  it('prints the version', async () => {
    const io = capture()
    expect(await main(['--version'], io)).toBe(0)
    expect(io.out).toBe(`kubectl-ansible ${version}\n`)
  })

  it('rejects an unknown command with one line and exit 2', async () => {
    const io = capture()
    expect(await main(['deploy'], io)).toBe(2)
    expect(io.err).toBe(
      "kubectl-ansible: error: unknown command 'deploy' (expected inventory, playbook or adhoc; see --help)\n"
    )
  })

  it('turns an invalid option value into exit 5 without a stack trace', async () => {
    const io = capture()
    expect(await main(['playbook', '-i', 'h1,', '--forks', 'many', 'site.yml'], io)).toBe(5)
    expect(io.err).toContain("--forks: invalid value 'many'")
    expect(io.err).not.toContain('    at ')
  })

  it('turns an unexpected exception into exit 250 and ansible’s one line, no stack trace', async () => {
    const io = capture()
    io.stdout = () => {
      throw new TypeError('stdout is gone')
    }
    expect(await main(['--version'], io)).toBe(250)
    expect(io.err).toBe(
      'ERROR! Unexpected Exception, this is probably a bug: stdout is gone\n' +
        'to see the full traceback, use -vvv\n'
    )
  })

  it('shows the traceback of an unexpected exception only with -vvv, like ansible', async () => {
    const io = capture()
    io.stdout = () => {
      throw new TypeError('stdout is gone')
    }
    expect(await main(['--version', '-vvv'], io)).toBe(250)
    expect(io.err).toMatch(/^ERROR! Unexpected Exception, this is probably a bug: stdout is gone\n/)
    expect(io.err).toContain('the full traceback was:\n\nTypeError: stdout is gone\n    at ')
  })

  it('reports a malformed k8s:// source as an inventory error, not an unexpected one', async () => {
    const io = capture()
    expect(await main(['inventory', '-i', 'k8s://%zz', '--list'], io)).toBe(4)
    expect(io.err).toBe('ERROR! not a valid k8s:// inventory URL: k8s://%zz\n')
  })
})

describe('kubectl-ansible process', () => {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

  /** Run src/cli.ts in a real node process; `closeStdout` closes the pipe after the first bytes. */
  function cli(args: string[], closeStdout: boolean) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', chunk => (stderr += String(chunk)))
    child.stdout.once('data', () => closeStdout && child.stdout.destroy())
    return new Promise<{ code: number | null; stderr: string }>(resolve =>
      child.on('close', code => resolve({ code, stderr }))
    )
  }

  it('ends quietly when the reader closes stdout (| head), where node printed an EPIPE trace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-epipe-'))
    try {
      const hosts = Array.from({ length: 20000 }, (_, index) => `h${index} a=${index}`)
      writeFileSync(path.join(dir, 'big.ini'), `[all]\n${hosts.join('\n')}\n`)
      const run = await cli(['inventory', '-i', path.join(dir, 'big.ini'), '--list'], true)
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
