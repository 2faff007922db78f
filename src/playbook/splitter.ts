// Ansible's `key=value` argument strings (lib/ansible/parsing/splitter.py): split on spaces
// except inside quotes and Jinja2 blocks, keep newlines, then separate key=value pairs from
// free-form text. Behaviour, not code, follows Ansible's so that `debug: msg="a b"` and
// `command: echo {{ x }} creates=/f` mean what they mean there.
import { PlaybookError } from './errors.js'
import { SIMPLE_ESCAPES } from '../python/literal.js'

function quoteState(token: string, quote: string | null): string | null {
  let previous = ''
  for (const char of token) {
    if ((char === '"' || char === "'") && previous !== '\\') {
      if (quote === null) quote = char
      else if (quote === char) quote = null
    }
    previous = char
  }
  return quote
}

function jinjaDepth(token: string, depth: number, open: string, close: string): number {
  const opened = token.split(open).length - 1
  const closed = token.split(close).length - 1
  if (opened !== closed) depth += opened - closed
  return Math.max(depth, 0)
}

export function splitArgs(args: string): string[] {
  const params: string[] = []
  const lines = args.split('\n')
  let quote: string | null = null
  let insideQuotes = false
  let printDepth = 0
  let blockDepth = 0
  let commentDepth = 0
  lines.forEach((line, lineIndex) => {
    const tokens = line.split(' ')
    let continuation = false
    tokens.forEach((token, index) => {
      if (token === '\\' && !insideQuotes) {
        continuation = true
        return
      }
      const wasInsideQuotes = insideQuotes
      quote = quoteState(token, quote)
      insideQuotes = quote !== null
      const inJinja = () => printDepth > 0 || blockDepth > 0 || commentDepth > 0
      let appended = false
      if (insideQuotes && !wasInsideQuotes && !inJinja()) {
        params.push(token)
        appended = true
      } else if (inJinja() || insideQuotes || wasInsideQuotes) {
        if (index === 0 && wasInsideQuotes) params[params.length - 1] += token
        else if (tokens.length > 1) params[params.length - 1] += (index > 0 ? ' ' : '') + token
        else params[params.length - 1] += `\n${token}`
        appended = true
      }
      for (const [open, close] of [
        ['{{', '}}'],
        ['{%', '%}'],
        ['{#', '#}']
      ]) {
        const before = open === '{{' ? printDepth : open === '{%' ? blockDepth : commentDepth
        const after = jinjaDepth(token, before, open, close)
        if (open === '{{') printDepth = after
        else if (open === '{%') blockDepth = after
        else commentDepth = after
        if (after !== before && !appended) {
          params.push(token)
          appended = true
        }
      }
      if (!inJinja() && !insideQuotes && !appended && token !== '') params.push(token)
    })
    if (lines.length > 1 && lineIndex !== lines.length - 1 && !continuation && params.length > 0) {
      if (!params[params.length - 1].endsWith('\n')) params[params.length - 1] += '\n'
    }
  })
  if (printDepth || blockDepth || commentDepth || insideQuotes) {
    throw new PlaybookError(
      `failed at splitting arguments, either an unbalanced jinja2 block or quotes: ${args}`
    )
  }
  return params
}

export function joinArgs(params: string[]): string {
  let result = ''
  for (const param of params) {
    result += result === '' || result.endsWith('\n') ? param : ` ${param}`
  }
  return result
}

function isQuoted(text: string): boolean {
  return (
    text.length >= 2 &&
    text[0] === text[text.length - 1] &&
    (text[0] === '"' || text[0] === "'") &&
    text[text.length - 2] !== '\\'
  )
}

export function unquote(text: string): string {
  return isQuoted(text) ? text.slice(1, -1) : text
}

function decodeEscapes(text: string): string {
  return text.replace(
    /\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|[\\'"abfnrtv])/g,
    (_match, code: string) => {
      if (code in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[code]
      if (/^[0-7]+$/.test(code)) return String.fromCodePoint(parseInt(code, 8))
      return String.fromCodePoint(parseInt(code.slice(1), 16))
    }
  )
}

// Options of command/shell/script/raw that may be written inline with the free-form command.
const rawModuleOptions = new Set([
  'creates',
  'removes',
  'chdir',
  'executable',
  'warn',
  'stdin',
  'stdin_add_newline',
  'strip_empty_ends'
])

/** `a=1 b="x y" rest` → `{a: '1', b: 'x y', _raw_params: 'rest'}`, like Ansible's parse_kv. */
export function parseKeyValue(args: string, checkRaw = false): Record<string, unknown> {
  const options: Record<string, unknown> = {}
  const rawParams: string[] = []
  for (const original of splitArgs(args)) {
    const token = decodeEscapes(original)
    let position = token.indexOf('=', 1)
    while (position > 0 && token[position - 1] === '\\') position = token.indexOf('=', position + 1)
    if (!token.includes('=')) {
      rawParams.push(original)
      continue
    }
    if (position <= 0) {
      rawParams.push(token.replace(/\\=/g, '='))
      continue
    }
    const key = token.slice(0, position)
    const value = token.slice(position + 1)
    if (checkRaw && !rawModuleOptions.has(key)) rawParams.push(original)
    else options[key.trim()] = unquote(value.trim())
  }
  if (rawParams.length > 0) options._raw_params = joinArgs(rawParams)
  return options
}
