// ansible.builtin.pause: wait N seconds/minutes. Runs have no terminal to prompt on (CI, the
// action), so a pause without a duration returns at once with empty user_input and a warning.
import type { ModuleDefinition, ModuleResult } from './types.js'

function now(): string {
  const date = new Date()
  const pad = (value: number, width = 2) => String(value).padStart(width, '0')
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds() * 1000, 6)}`
  )
}

export const pause: ModuleDefinition = {
  name: 'pause',
  args: {
    echo: { type: 'bool', default: true },
    minutes: { type: 'float' },
    seconds: { type: 'float' },
    prompt: { type: 'str' }
  },
  mutuallyExclusive: [['minutes', 'seconds']],
  checkMode: true,
  async run(args): Promise<ModuleResult> {
    const result: ModuleResult = {
      changed: false,
      rc: 0,
      stderr: '',
      stdout: '',
      echo: args.echo,
      user_input: ''
    }
    const unit = args.minutes !== undefined ? 'minutes' : 'seconds'
    const given =
      args.minutes !== undefined
        ? Math.trunc(args.minutes as number) * 60
        : args.seconds !== undefined
          ? Math.trunc(args.seconds as number)
          : undefined
    const start = Date.now()
    result.start = now()
    if (given === undefined) {
      return {
        ...result,
        stop: now(),
        delta: 0,
        warnings: [
          'pause without seconds/minutes waits for a keypress; runs have no terminal, so it returns immediately'
        ]
      }
    }
    await new Promise(resolve => setTimeout(resolve, Math.max(1, given) * 1000))
    const duration = (Date.now() - start) / 1000
    const shown =
      unit === 'minutes'
        ? Math.round((duration / 60) * 100) / 100
        : Math.round(duration * 100) / 100
    return {
      ...result,
      stop: now(),
      delta: Math.trunc(duration),
      stdout: `Paused for ${shown} ${unit}`
    }
  }
}
