// Serialisation, encoding, hashing, path and URL filters (Ansible's core filter plugin).
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import { parse as parseYaml, parseAllDocuments } from 'yaml'
import { defineFilter, MandatoryUndefined } from '../engine.js'
import { TemplateError } from '../errors.js'
import { PyFloat, pyFloatRepr, pyStr, pyTruthy, type PlainObject } from '../values.js'
import { defined } from './common.js'
import { PyRandom } from './pyrandom.js'
import { dumpNiceYaml, dumpYaml } from './yamldump.js'

const text = (value: unknown): string => pyStr(defined(value))

/** json.dumps with Python's defaults: ", " / ": " separators, ASCII escapes. */
export function pyJsonDumps(
  value: unknown,
  options: {
    indent?: number
    sortKeys?: boolean
    separators?: [string, string]
    ensureAscii?: boolean
  } = {}
): string {
  const indent = options.indent
  const [itemSeparator, keySeparator] =
    options.separators ?? (indent === undefined ? [', ', ': '] : [',', ': '])
  const ensureAscii = options.ensureAscii ?? true
  const quote = (input: string): string => {
    const json = JSON.stringify(input)
    return ensureAscii
      ? json.replace(
          /[\u007f-\uffff]/g,
          ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
        )
      : json
  }
  const write = (item: unknown, depth: number): string => {
    if (item === null || item === undefined) return 'null'
    if (typeof item === 'boolean') return item ? 'true' : 'false'
    if (item instanceof PyFloat) return pyFloatRepr(item.value)
    if (typeof item === 'number') {
      if (!Number.isFinite(item))
        return Number.isNaN(item) ? 'NaN' : item > 0 ? 'Infinity' : '-Infinity'
      return Number.isInteger(item) ? String(item) : pyFloatRepr(item)
    }
    if (typeof item === 'string') return quote(item)
    const entries: Array<[string | null, unknown]> = Array.isArray(item)
      ? item.map(element => [null, element])
      : Object.entries(item as PlainObject)
    if (!Array.isArray(item) && options.sortKeys)
      entries.sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1))
    const [open, close] = Array.isArray(item) ? ['[', ']'] : ['{', '}']
    if (entries.length === 0) return open + close
    const parts = entries.map(([key, element]) =>
      key === null
        ? write(element, depth + 1)
        : `${quote(key)}${keySeparator}${write(element, depth + 1)}`
    )
    if (indent === undefined) return open + parts.join(itemSeparator) + close
    const pad = ' '.repeat(indent * (depth + 1))
    return `${open}\n${pad}${parts.join(`${itemSeparator}\n${pad}`)}\n${' '.repeat(indent * depth)}${close}`
  }
  return write(value, 0)
}

const UUID_NAMESPACE_ANSIBLE = '361e6d51-faec-444a-9079-341386da8e2e'

function uuid5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
  hash[6] = (hash[6] & 0x0f) | 0x50
  hash[8] = (hash[8] & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function digest(algorithm: string, input: string): string {
  try {
    return createHash(algorithm).update(input, 'utf8').digest('hex')
  } catch {
    throw new TemplateError(`unsupported hash type ${algorithm}`)
  }
}

function urlParts(input: string): PlainObject {
  const match =
    /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(
      input
    ) ?? []
  const netloc = match[2] ?? ''
  const userinfo = netloc.includes('@') ? netloc.slice(0, netloc.lastIndexOf('@')) : null
  const hostport = netloc.includes('@') ? netloc.slice(netloc.lastIndexOf('@') + 1) : netloc
  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport) ?? []
  return {
    scheme: (match[1] ?? '').toLowerCase(),
    netloc,
    path: match[3] ?? '',
    query: match[4] ?? '',
    fragment: match[5] ?? '',
    username: userinfo === null ? null : userinfo.split(':')[0],
    password:
      userinfo === null || !userinfo.includes(':')
        ? null
        : userinfo.slice(userinfo.indexOf(':') + 1),
    hostname: hostMatch[1] ? hostMatch[1].replace(/^\[|\]$/g, '').toLowerCase() : null,
    port: hostMatch[2] ? Number(hostMatch[2]) : null
  }
}

export function registerDataFilters(): void {
  defineFilter('to_json', (value, _args, kwargs) =>
    pyJsonDumps(defined(value), {
      sortKeys: pyTruthy(kwargs.sort_keys ?? false),
      indent:
        kwargs.indent === undefined || kwargs.indent === null ? undefined : Number(kwargs.indent),
      ensureAscii: kwargs.ensure_ascii === undefined ? true : pyTruthy(kwargs.ensure_ascii)
    })
  )
  defineFilter('to_nice_json', (value, args, kwargs) =>
    pyJsonDumps(defined(value), {
      indent: Number(kwargs.indent ?? args[0] ?? 4),
      sortKeys: kwargs.sort_keys === undefined ? true : pyTruthy(kwargs.sort_keys),
      ensureAscii: kwargs.ensure_ascii === undefined ? true : pyTruthy(kwargs.ensure_ascii)
    })
  )
  defineFilter('from_json', value => {
    try {
      return JSON.parse(text(value)) as unknown
    } catch (error) {
      throw new TemplateError((error as Error).message)
    }
  })
  defineFilter('to_yaml', (value, _args, kwargs) =>
    dumpYaml(
      defined(value),
      Number(kwargs.indent ?? 2),
      kwargs.sort_keys === undefined ? true : pyTruthy(kwargs.sort_keys)
    )
  )
  defineFilter('to_nice_yaml', (value, args, kwargs) =>
    dumpNiceYaml(
      defined(value),
      Number(kwargs.indent ?? args[0] ?? 4),
      kwargs.sort_keys === undefined ? true : pyTruthy(kwargs.sort_keys)
    )
  )
  defineFilter('from_yaml', value => {
    const input = defined(value)
    if (typeof input !== 'string') return input
    try {
      return parseYaml(input, { version: '1.1' }) as unknown
    } catch (error) {
      throw new TemplateError(`from_yaml: ${(error as Error).message}`)
    }
  })
  defineFilter('from_yaml_all', value => {
    const input = defined(value)
    if (typeof input !== 'string') return input
    return parseAllDocuments(input, { version: '1.1' }).map(doc => doc.toJS() as unknown)
  })
  defineFilter('b64encode', (value, _args, kwargs) =>
    Buffer.from(text(value), kwargs.encoding === 'utf-16-le' ? 'utf16le' : 'utf8').toString(
      'base64'
    )
  )
  defineFilter('b64decode', (value, _args, kwargs) =>
    Buffer.from(text(value), 'base64').toString(
      kwargs.encoding === 'utf-16-le' ? 'utf16le' : 'utf8'
    )
  )
  defineFilter('hash', (value, args) => digest(pyStr(args[0] ?? 'sha1'), text(value)))
  defineFilter('md5', value => digest('md5', text(value)))
  defineFilter('sha1', value => digest('sha1', text(value)))
  defineFilter('checksum', value => digest('sha1', text(value)))
  defineFilter('password_hash', () => {
    throw new TemplateError(
      'password_hash is not supported by kubectl-ansible: hash the password before the run'
    )
  })
  defineFilter('json_query', () => {
    throw new TemplateError(
      'json_query (community.general, needs jmespath) is not supported: use selectattr/map instead'
    )
  })
  defineFilter('to_uuid', (value, args, kwargs) =>
    uuid5(pyStr(kwargs.namespace ?? args[0] ?? UUID_NAMESPACE_ANSIBLE), text(value))
  )
  defineFilter('basename', value => {
    const input = text(value)
    return input.slice(input.lastIndexOf('/') + 1)
  })
  defineFilter('dirname', value => {
    const input = text(value)
    const at = input.lastIndexOf('/')
    if (at < 0) return ''
    const head = input.slice(0, at + 1)
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '')
  })
  defineFilter('splitext', value => {
    const input = text(value)
    const ext = path.posix.extname(input)
    return [input.slice(0, input.length - ext.length), ext]
  })
  defineFilter('expanduser', value => text(value).replace(/^~(?=$|\/)/, process.env.HOME ?? '~'))
  defineFilter('realpath', value => path.resolve(text(value)))
  defineFilter(
    'relpath',
    (value, args) => path.relative(pyStr(args[0] ?? process.cwd()), text(value)) || '.'
  )
  defineFilter('path_join', value => {
    const parts = Array.isArray(value) ? value.map(pyStr) : [text(value)]
    return parts.reduce(
      (acc, part) =>
        part.startsWith('/')
          ? part
          : acc === ''
            ? part
            : acc.endsWith('/')
              ? acc + part
              : `${acc}/${part}`,
      ''
    )
  })
  defineFilter('urlsplit', (value, args) => {
    const parts = urlParts(text(value))
    if (args[0] === undefined) return parts
    const key = pyStr(args[0])
    if (!(key in parts)) throw new TemplateError(`urlsplit: unknown URL component: ${key}`)
    return parts[key]
  })
  defineFilter('mandatory', (value, args) => {
    if (value === undefined)
      throw new MandatoryUndefined(args[0] === undefined ? undefined : pyStr(args[0]))
    return value
  })
  defineFilter('random', (value, args, kwargs) => {
    const input = defined(value)
    const seed = kwargs.seed ?? args[2]
    const generator =
      seed === undefined || seed === null ? null : new PyRandom(seed as string | number)
    const below = (n: number): number =>
      generator ? generator.randbelow(n) : randomBytes(4).readUInt32BE() % Math.max(1, n)
    if (typeof input === 'number') {
      const start = Number(kwargs.start ?? args[0] ?? 0)
      const step = Number(kwargs.step ?? args[1] ?? 1)
      if (generator) return generator.randrange(start, input, step)
      return start + step * below(Math.ceil((input - start) / step))
    }
    const items = Array.isArray(input) ? input : [...pyStr(input)]
    return items[below(items.length)]
  })
  defineFilter('shuffle', (value, args, kwargs) => {
    const items = Array.isArray(value) ? value : [...pyStr(defined(value))]
    const seed = kwargs.seed ?? args[0]
    if (seed !== undefined && seed !== null && seed !== '')
      return new PyRandom(seed as string | number).shuffle(items)
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = randomBytes(4).readUInt32BE() % (i + 1)
      ;[out[i], out[j]] = [out[j], out[i]]
    }
    return out
  })
}
