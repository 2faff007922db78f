// Python value semantics on JS data. Templates are Ansible's, so values print, compare and test
// the way Python 3 does: str(True) is "True", repr of a list uses single quotes, None is falsy.
// JS cannot tell 2.0 from 2 once a value has left the engine: integral floats print as ints.

import { UnsafeText } from './unsafe.js'

export type PlainObject = Record<string, unknown>

export function isPlainObject(value: unknown): value is PlainObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

// minijinja-js keeps dicts sorted by key (it is built without `preserve_order`), while Ansible
// keeps insertion order. The key order of every dict that enters the engine is remembered by
// its key set, and dicts coming back are put back in that order.
const keyOrders = new Map<string, string[]>()
const MAX_KEY_ORDERS = 20_000
const walked = new WeakSet<object>()

function keySignature(keys: string[]): string {
  return [...keys].sort().join('\u0000')
}

/** Remembers the key order of the dicts inside `value` (see fromEngine). */
export function rememberKeyOrder(value: unknown): void {
  if (value === null || typeof value !== 'object' || walked.has(value)) return
  walked.add(value)
  if (Array.isArray(value)) {
    for (const item of value) rememberKeyOrder(item)
    return
  }
  if (!isPlainObject(value)) return
  const keys = Object.keys(value)
  if (keys.length > 1 && keys.some((key, i) => i > 0 && keys[i - 1] > key)) {
    if (keyOrders.size >= MAX_KEY_ORDERS) keyOrders.clear()
    keyOrders.set(keySignature(keys), keys)
  }
  for (const key of keys) rememberKeyOrder(value[key])
}

/** Remembers a key order known only by name (a dict literal in a template). */
export function rememberKeyList(keys: string[]): void {
  if (keys.length > 1) keyOrders.set(keySignature(keys), keys)
}

/** The JSON-key spelling json.dumps gives a key that is not a string (None -> "null"). */
export function jsonKeyText(key: unknown): string {
  if (key === null || key === undefined) return 'null'
  if (typeof key === 'boolean') return key ? 'true' : 'false'
  if (key instanceof PyFloat) return pyFloatRepr(key.value)
  return String(key)
}

/** Converts what minijinja-js hands to JS (Maps for dicts, undefined for none) into plain JSON-like data. */
export function fromEngine(value: unknown): unknown {
  if (value instanceof Map) {
    // Keys come typed (none as undefined, ints, bools): they get their JSON spelling and are
    // remembered (see pythonKey), so `{1: 'a'}` still prints {1: 'a'}.
    const byText = new Map<string, unknown>()
    let typed: Map<string, unknown> | undefined
    for (const [key, item] of value as Map<unknown, unknown>) {
      const text = typeof key === 'string' ? key : jsonKeyText(key)
      if (typeof key !== 'string') (typed ??= new Map()).set(text, key ?? null)
      byText.set(text, item)
    }
    const keys = [...byText.keys()]
    const order = keys.length > 1 ? keyOrders.get(keySignature(keys)) : undefined
    const out: PlainObject = {}
    for (const key of order ?? keys) out[key] = fromEngine(byText.get(key))
    if (typed) recordTypedKeys(out, typed)
    return out
  }
  // Array.from, not map: minijinja-js leaves holes where a list holds none.
  if (Array.isArray(value)) return Array.from(value, fromEngine)
  // Inside lists and dicts minijinja-js gives `none` as undefined.
  return value === undefined ? null : value
}

/**
 * An integral Python float (2.0) inside a value handed to a filter whose output shows float-ness
 * (type_debug, to_json, ...): a JS number cannot tell 2.0 from 2 (see engine-repr.ts).
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

// Dict keys that were not strings in the engine (None, True, 1), under the JS string key that
// stands for them (json.dumps's spelling: "null", "true", "1"); see engine-repr.ts.
const typedKeys = new WeakMap<object, Map<string, unknown>>()

export function recordTypedKeys(dict: object, keys: Map<string, unknown>): void {
  typedKeys.set(dict, keys)
}

/** The Python key behind `key` of `dict`: None, True, 1 as they were, else the string. */
export function pythonKey(dict: object, key: string): unknown {
  const typed = typedKeys.get(dict)
  return typed?.has(key) ? typed.get(key) : key
}

export function hasTypedKeys(dict: object): boolean {
  return typedKeys.has(dict)
}

export type PyTypeName =
  'int' | 'float' | 'str' | 'bool' | 'NoneType' | 'list' | 'dict' | 'AnsibleUndefined'

export function pyTypeName(value: unknown): PyTypeName {
  if (value === undefined) return 'AnsibleUndefined'
  if (value === null) return 'NoneType'
  if (value instanceof PyFloat) return 'float'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'string') return 'str'
  if (Array.isArray(value)) return 'list'
  return 'dict'
}

export function pyTruthy(value: unknown): boolean {
  if (value === undefined || value === null) return false
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value)
  if (typeof value === 'string') return value.length > 0
  if (Array.isArray(value)) return value.length > 0
  if (value instanceof Map) return value.size > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}

/** Python's repr() of a float. */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  if (Object.is(value, -0)) return '-0.0'
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`
  const abs = Math.abs(value)
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    // Python: 1e-05, 1.5e+16 (two-digit exponent at least)
    const [mantissa, exponent] = value.toExponential().split('e')
    const sign = exponent.startsWith('-') ? '-' : '+'
    const digits = exponent.replace(/^[-+]/, '').padStart(2, '0')
    return `${mantissa}e${sign}${digits}`
  }
  return String(value)
}

function pyNumberStr(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pyFloatRepr(value)
}

/** Python's repr() of a str: single quotes unless the text holds ' and no ". */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of text) {
    const code = ch.codePointAt(0) as number
    if (ch === '\\') out += '\\\\'
    else if (ch === quote) out += `\\${quote}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return out + quote
}

export function pyRepr(value: unknown): string {
  if (value === undefined) return 'AnsibleUndefined'
  if (value === null) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return pyNumberStr(value)
  if (value instanceof PyFloat) return pyFloatRepr(value.value)
  if (typeof value === 'string') return pyStrRepr(value)
  if (value instanceof UnsafeText) return pyStrRepr(value.text)
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyRepr(pythonKey(value, k))}: ${pyRepr(v)}`)
      .join(', ')}}`
  }
  return String(value)
}

/** Python's str(): strings as they are, everything else as repr. */
export function pyStr(value: unknown): string {
  if (value instanceof UnsafeText) return value.text
  return typeof value === 'string' ? value : pyRepr(value)
}

/** Python's == for JSON-like data: '1' != 1, 1 == 1.0, True == 1. */
export function pyEquals(a: unknown, b: unknown): boolean {
  const na = typeof a === 'boolean' ? Number(a) : a
  const nb = typeof b === 'boolean' ? Number(b) : b
  if (typeof na === 'number' && typeof nb === 'number') return na === nb
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => pyEquals(item, b[i]))
  }
  if (a instanceof Map || b instanceof Map) return pyEquals(fromEngine(a), fromEngine(b))
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every(k => k in b && pyEquals(a[k], b[k]))
  }
  return a === b
}

/** Python's < for the types templates compare (numbers, strings, lists). */
export function pyCompare(a: unknown, b: unknown): number {
  const na = typeof a === 'boolean' ? Number(a) : a
  const nb = typeof b === 'boolean' ? Number(b) : b
  if (typeof na === 'number' && typeof nb === 'number') return na - nb
  if (typeof na === 'string' && typeof nb === 'string') return na < nb ? -1 : na > nb ? 1 : 0
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = pyCompare(a[i], b[i])
      if (c !== 0) return c
    }
    return a.length - b.length
  }
  throw new TypeError(
    `'<' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`
  )
}
