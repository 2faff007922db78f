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
})
