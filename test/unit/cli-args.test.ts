import { describe, expect, it } from 'vitest'
import { CliUsageError, parseRunArgs, parseShard } from '../../src/cli/args.js'

const env = { KUBECONFIG: '/tmp/kc' }

function usageError(fn: () => unknown): CliUsageError {
  try {
    fn()
  } catch (error) {
    if (error instanceof CliUsageError) return error
    throw error
  }
  throw new Error('expected a CliUsageError')
}

describe('parseRunArgs', () => {
  it('builds RunOptions for a playbook run', () => {
    const parsed = parseRunArgs(
      [
        '-i',
        'inv.ini',
        '-i',
        'k8s://ns',
        'site.yml',
        '-e',
        'a=1',
        '--check',
        '-D',
        '-l',
        'web',
        '--tags=t1,t2',
        '--skip-tags',
        'slow',
        '-f',
        '10',
        '--timeout',
        '30',
        '-vvv',
        '--json'
      ],
      'playbook',
      '/work',
      env
    )
    expect(parsed.options).toMatchObject({
      cwd: '/work',
      inventorySources: ['inv.ini', 'k8s://ns'],
      playbook: 'site.yml',
      extraVars: ['a=1'],
      check: true,
      diff: true,
      limit: 'web',
      tags: ['t1', 't2'],
      skipTags: ['slow'],
      forks: 10,
      timeoutSec: 30,
      verbosity: 3,
      kubectl: { path: 'kubectl', kubeconfig: '/tmp/kc' }
    })
    expect(parsed.json).toBe(true)
  })

  it('builds an ad-hoc run with a pattern, module and args', () => {
    const parsed = parseRunArgs(
      ['web', '-i', 'h1,', '-m', 'shell', '-a', 'echo hi', '-f5'],
      'adhoc',
      '/w',
      {}
    )
    expect(parsed.options.adhoc).toEqual({ pattern: 'web', module: 'shell', args: 'echo hi' })
    expect(parsed.options.forks).toBe(5)
  })

  it('defaults the ad-hoc module to command like ansible', () => {
    const parsed = parseRunArgs(['all', '-i', 'h1,', '-a', 'id'], 'adhoc', '/w', {})
    expect(parsed.options.adhoc?.module).toBe('command')
  })

  it('exits 2 for options argparse cannot parse and 5 for invalid values', () => {
    expect(usageError(() => parseRunArgs(['--bogus', 'p.yml'], 'playbook', '/', {})).exitCode).toBe(
      2
    )
    expect(usageError(() => parseRunArgs(['-i'], 'playbook', '/', {})).exitCode).toBe(2)
    expect(usageError(() => parseRunArgs(['-i', 'x'], 'playbook', '/', {})).message).toMatch(
      /playbook/
    )
    expect(
      usageError(() => parseRunArgs(['-f', 'many', 'p.yml'], 'playbook', '/', {})).exitCode
    ).toBe(5)
    expect(
      usageError(() => parseRunArgs(['-f', '0', 'p.yml'], 'playbook', '/', {})).message
    ).toMatch(/--forks/)
    expect(usageError(() => parseRunArgs(['--tags', 'x', 'all'], 'adhoc', '/', {})).exitCode).toBe(
      2
    )
    expect(usageError(() => parseRunArgs(['a.yml', 'b.yml'], 'playbook', '/', {})).exitCode).toBe(5)
  })
})

describe('parseShard', () => {
  it('accepts i/n with 1 <= i <= n', () => {
    expect(parseShard('2/4', 'shard')).toEqual({ index: 2, count: 4 })
  })
  it.each(['3/2', '0/3', 'x', '1/0', '1/2/3'])('rejects %s naming the input', value => {
    const error = usageError(() => parseShard(value, 'shard'))
    expect(error.message).toContain('shard')
    expect(error.exitCode).toBe(5)
  })
})
