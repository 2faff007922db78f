// Variable access chains (`a.b[c]`, `hostvars[h].x`) in an expression. The templar re-evaluates
// them to name what was undefined, the way Ansible's errors do ('x' is undefined,
// 'dict object' has no attribute 'y').
import { lexTemplate, type Token } from './lexer.js'
import { KEYWORDS, MUTABLE_GET, UNDEFINED_GLOBAL } from './preprocess.js'

export interface Chain {
  /** Source of the root: a name or a __lazy_get(...).__value lookup. */
  root: string
  rootName?: string
  lazy?: { root: string; keySource: string }
  accessors: Array<{ source: string; attribute?: string; keySource?: string }>
  /** Followed by `| default`, `is defined`, `is undefined` or `is none`. */
  guarded: boolean
}

const GUARD_FILTERS = new Set(['default', 'd'])
const GUARD_TESTS = new Set(['defined', 'undefined', 'none'])

/** Variable access chains (`a.b[c]`) in an expression, in source order. */
export function accessChains(expr: string): Chain[] {
  // The none/undefined guards added by preprocess.ts are not the user's `default`.
  const userExpr = expr.replace(new RegExp(`\\|\\s*default\\(${UNDEFINED_GLOBAL}\\)`, 'g'), '')
  const region = lexTemplate(`{{${userExpr}}}`)[0]
  if (!region || region.kind !== 'output') return []
  const tokens = region.tokens.filter(token => token.type !== 'ws')
  const chains: Chain[] = []
  const closing = (from: number): number => {
    let depth = 0
    for (let i = from; i < tokens.length; i++) {
      if ('([{'.includes(tokens[i].text) && tokens[i].type === 'op') depth++
      if (')]}'.includes(tokens[i].text) && tokens[i].type === 'op' && --depth === 0) return i
    }
    return -1
  }
  const text = (from: number, to: number): string =>
    tokens
      .slice(from, to)
      .map((t: Token) => t.text)
      .join(' ')
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    const prev = tokens[i - 1]?.text
    if (token.type !== 'name' || prev === '.' || prev === '|' || prev === 'is') continue
    const hookRoot = token.text === '__lazy_get' || token.text === MUTABLE_GET
    if (KEYWORDS.has(token.text) || (token.text.startsWith('__') && !hookRoot)) continue
    if (prev === 'not' && tokens[i - 2]?.text === 'is') continue
    let end = i + 1
    const chain: Chain = { root: token.text, accessors: [], guarded: false }
    if (token.text === '__lazy_get' && tokens[i + 1]?.text === '(') {
      const close = closing(i + 1)
      if (close < 0) continue
      // The call is followed by `.__value` (see preprocess.ts): both make the root.
      chain.root = text(i, close + 3)
      chain.lazy = { root: JSON.parse(tokens[i + 2].text) as string, keySource: text(i + 4, close) }
      end = close + 3
    } else if (token.text === MUTABLE_GET && tokens[i + 1]?.text === '(') {
      // `__mut_get("l").__value` is the variable `l` read through the store (see mutation.ts).
      const close = closing(i + 1)
      if (close < 0) continue
      chain.root = text(i, close + 3)
      chain.rootName = JSON.parse(tokens[i + 2].text) as string
      end = close + 3
    } else if (tokens[i + 1]?.text === '(' || tokens[i + 1]?.text === '=') {
      continue
    } else {
      chain.rootName = token.text
    }
    while (end < tokens.length) {
      if (
        tokens[end].text === '.' &&
        tokens[end + 1]?.type === 'name' &&
        tokens[end + 2]?.text !== '('
      ) {
        chain.accessors.push({
          source: `.${tokens[end + 1].text}`,
          attribute: tokens[end + 1].text
        })
        end += 2
      } else if (tokens[end].text === '[') {
        const close = closing(end)
        if (close < 0) break
        chain.accessors.push({
          source: `[${text(end + 1, close)}]`,
          keySource: text(end + 1, close)
        })
        end = close + 1
      } else break
    }
    const after = tokens[end]?.text
    chain.guarded =
      (after === '|' && GUARD_FILTERS.has(tokens[end + 1]?.text ?? '')) ||
      (after === 'is' &&
        (GUARD_TESTS.has(tokens[end + 1]?.text ?? '') ||
          (tokens[end + 1]?.text === 'not' && GUARD_TESTS.has(tokens[end + 2]?.text ?? ''))))
    chains.push(chain)
    i = end - 1
  }
  return chains
}
