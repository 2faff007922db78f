// Python's attribute and item lookup for names of built-in methods. Jinja tries getattr first
// for `d.items` and the item first for `d['items']`, so `{{ d.items }}` prints the bound method
// (`<built-in method items of dict object at 0x...>`) even when `d` has a key `items`, while
// `d.title` is still the key (dicts have no `title` method). minijinja only knows keys, so the
// preprocessor routes these names to `__py_attr` / `__py_item` (see preprocess.ts).
import { isPlainObject, pyStr, pyTypeName } from './values.js'

const DICT_METHODS = new Set(
  'clear copy fromkeys get items keys pop popitem setdefault update values'.split(' ')
)
const LIST_METHODS = new Set(
  'append clear copy count extend index insert pop remove reverse sort'.split(' ')
)
const STR_METHODS = new Set(
  (
    'capitalize casefold center count encode endswith expandtabs find format format_map index ' +
    'isalnum isalpha isascii isdecimal isdigit isidentifier islower isnumeric isprintable isspace ' +
    'istitle isupper join ljust lower lstrip maketrans partition removeprefix removesuffix replace ' +
    'rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase title ' +
    'translate upper zfill'
  ).split(' ')
)

/** Every name that is a method of dict, list or str: the only attributes routed here. */
export const BUILTIN_METHOD_NAMES: ReadonlySet<string> = new Set([
  ...DICT_METHODS,
  ...LIST_METHODS,
  ...STR_METHODS
])

export type Lookup = { found: true; value: unknown } | { found: false; miss?: string }

function methodsOf(value: unknown): { type: string; methods: ReadonlySet<string> } | undefined {
  if (Array.isArray(value)) return { type: 'list', methods: LIST_METHODS }
  if (isPlainObject(value)) return { type: 'dict', methods: DICT_METHODS }
  if (typeof value === 'string') return { type: 'str', methods: STR_METHODS }
  return undefined
}

let nextAddress = 0x7f3a10c2e000

/** What Python prints for a bound built-in method; the address is only there to look the same. */
function boundMethod(type: string, name: string): string {
  nextAddress += 0x40
  return `<built-in method ${name} of ${type} object at 0x${nextAddress.toString(16)}>`
}

function ownItem(receiver: unknown, key: string): Lookup {
  if (isPlainObject(receiver) && Object.prototype.hasOwnProperty.call(receiver, key))
    return { found: true, value: receiver[key] }
  return { found: false }
}

/**
 * `receiver.name` (getattr first) or `receiver['name']` (item first), for a name in
 * BUILTIN_METHOD_NAMES. An undefined receiver stays undefined; a miss says what Python says.
 */
export function pythonLookup(receiver: unknown, name: string, itemFirst: boolean): Lookup {
  if (receiver === undefined) return { found: false }
  if (itemFirst) {
    const item = ownItem(receiver, name)
    if (item.found) return item
  }
  const kind = methodsOf(receiver)
  if (kind?.methods.has(name)) return { found: true, value: boundMethod(kind.type, name) }
  if (!itemFirst) {
    const item = ownItem(receiver, name)
    if (item.found) return item
  }
  const typeName = kind?.type ?? pyTypeName(receiver)
  return { found: false, miss: `'${typeName} object' has no attribute '${pyStr(name)}'` }
}
