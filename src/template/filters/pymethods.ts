// Python methods and the `%` operator that minijinja's pycompat does not provide; the
// preprocessor routes `x.get(k)` to `__py_method` and `'fmt' % args` to `__py_format`.
import { defineFilter, defineFunction } from '../engine.js'
import { TemplateError } from '../errors.js'
import { MUTATOR_METHODS } from '../mutation-scan.js'
import { applyMutator } from '../mutation.js'
import { PYTHON_FORMAT, PYTHON_METHOD } from '../preprocess.js'
import { isPlainObject, pyEquals, pyStr, pyTypeName } from '../values.js'
import { defined } from './common.js'
import { pyPercentFormat } from './pyformat.js'

/** str.format with {} / {0} / {name} fields and {{ }} escapes (format specs are not supported). */
function strFormat(format: string, args: unknown[], kwargs: Record<string, unknown>): string {
  let auto = 0
  return format.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, field: string | undefined) => {
    if (match === '{{') return '{'
    if (match === '}}') return '}'
    const [key, spec] = (field ?? '').split(':')
    if (spec)
      throw new TemplateError(`str.format(): format specs such as '{${field}}' are not supported`)
    const value = key === '' ? args[auto++] : /^\d+$/.test(key) ? args[Number(key)] : kwargs[key]
    if (value === undefined)
      throw new TemplateError(`str.format(): no value for field '{${field}}'`)
    return pyStr(value)
  })
}

function pad(text: string, width: number, fill: string, side: 'left' | 'right' | 'center'): string {
  if (text.length >= width) return text
  const total = width - text.length
  if (side === 'left') return fill.repeat(total) + text
  if (side === 'right') return text + fill.repeat(total)
  const left = Math.floor(total / 2) + (total % 2 && width % 2 ? 1 : 0)
  return fill.repeat(left) + text + fill.repeat(total - left)
}

function callMethod(
  receiver: unknown,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown>
): unknown {
  const typeName = Array.isArray(receiver) ? 'list' : pyTypeName(receiver)
  // The preprocessor sends only literals here (`[1].append(2)`): a copy is changed.
  if (MUTATOR_METHODS.has(method)) return applyMutator(receiver, method, args, kwargs)
  if (method === 'get' && isPlainObject(receiver)) {
    const key = pyStr(args[0])
    return key in receiver ? receiver[key] : (args[1] ?? null)
  }
  if (
    (method === 'index' || method === 'rindex') &&
    (Array.isArray(receiver) || typeof receiver === 'string')
  ) {
    const index = Array.isArray(receiver)
      ? receiver.findIndex(item => pyEquals(item, args[0]))
      : method === 'index'
        ? receiver.indexOf(pyStr(args[0]))
        : receiver.lastIndexOf(pyStr(args[0]))
    if (index < 0) throw new TemplateError(`${pyStr(args[0])} is not in ${typeName}`)
    return index
  }
  if (typeof receiver === 'string') {
    const fill = pyStr(args[1] ?? ' ')
    switch (method) {
      case 'format':
        return strFormat(receiver, args, kwargs)
      case 'zfill': {
        const sign = /^[-+]/.test(receiver) ? receiver[0] : ''
        return sign + pad(receiver.slice(sign.length), Number(args[0]) - sign.length, '0', 'left')
      }
      case 'ljust':
        return pad(receiver, Number(args[0]), fill, 'right')
      case 'rjust':
        return pad(receiver, Number(args[0]), fill, 'left')
      case 'center':
        return pad(receiver, Number(args[0]), fill, 'center')
      case 'partition':
      case 'rpartition': {
        const separator = pyStr(args[0])
        const at =
          method === 'partition' ? receiver.indexOf(separator) : receiver.lastIndexOf(separator)
        if (at < 0) return method === 'partition' ? [receiver, '', ''] : ['', '', receiver]
        return [receiver.slice(0, at), separator, receiver.slice(at + separator.length)]
      }
      case 'swapcase':
        return [...receiver]
          .map(ch => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase()))
          .join('')
      case 'casefold':
        return receiver.toLowerCase()
    }
  }
  throw new TemplateError(`'${typeName}' object has no attribute '${method}'`)
}

export function registerPythonMethods(): void {
  defineFilter(PYTHON_METHOD, (receiver, args, kwargs) => {
    const [method, ...rest] = args
    return callMethod(defined(receiver), pyStr(method), rest, kwargs)
  })
  defineFunction(PYTHON_FORMAT, args => {
    const [format, values] = args
    return pyPercentFormat(pyStr(format), Array.isArray(values) ? values : [defined(values)])
  })
}
