// Python's printf-style formatting ('%s-%03d' % args), used by the `format` filter.
import { TemplateError } from '../errors.js'
import { pyRepr, pyStr } from '../values.js'

export function pyPercentFormat(format: string, args: unknown[]): string {
  let index = 0
  const next = (): unknown => {
    if (index >= args.length) throw new TemplateError('not enough arguments for format string')
    return args[index++]
  }
  return format.replace(
    /%([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdifFeExXorc%])/g,
    (_m, flags: string, width: string, precision: string, kind: string) => {
      if (kind === '%') return '%'
      const widthValue = width === '*' ? Number(next()) : width ? Number(width) : 0
      const value = next()
      let text: string
      switch (kind) {
        case 's':
          text = pyStr(value)
          if (precision) text = text.slice(0, Number(precision))
          break
        case 'r':
          text = pyRepr(value)
          break
        case 'c':
          text = typeof value === 'number' ? String.fromCodePoint(value) : String(value)
          break
        case 'd':
        case 'i':
          text = String(Math.trunc(Number(value)))
          break
        case 'f':
        case 'F':
          text = Number(value).toFixed(precision ? Number(precision) : 6)
          break
        case 'e':
        case 'E': {
          const [mantissa, exponent] = Number(value)
            .toExponential(precision ? Number(precision) : 6)
            .split('e')
          const digits = exponent.replace(/^[-+]/, '').padStart(2, '0')
          text = `${mantissa}e${exponent.startsWith('-') ? '-' : '+'}${digits}`
          if (kind === 'E') text = text.toUpperCase()
          break
        }
        case 'x':
          text = Math.trunc(Number(value)).toString(16)
          break
        case 'X':
          text = Math.trunc(Number(value)).toString(16).toUpperCase()
          break
        default:
          text = Math.trunc(Number(value)).toString(8)
      }
      if (flags.includes('+') && /^[0-9]/.test(text) && kind !== 's') text = `+${text}`
      if (text.length >= widthValue) return text
      if (flags.includes('-')) return text.padEnd(widthValue)
      if (flags.includes('0') && kind !== 's') {
        const sign = /^[-+]/.test(text) ? text[0] : ''
        return sign + text.slice(sign.length).padStart(widthValue - sign.length, '0')
      }
      return text.padStart(widthValue)
    }
  )
}
