// Global functions Ansible adds to Jinja: lookup(), query() / q().
import { defineFunction } from './engine.js'
import { pyStr } from './values.js'

/** lookup(): joins a list of strings with ",", unwraps a single item, as Ansible 2.14 does. */
function lookupResult(results: unknown[], wantList: boolean): unknown {
  if (wantList) return results
  if (results.every(item => typeof item === 'string')) return results.join(',')
  return results.length === 1 ? results[0] : results
}

export function registerFunctions(): void {
  defineFunction('lookup', (args, kwargs, context) => {
    const [name, ...terms] = args
    const { wantlist, ...options } = kwargs
    return lookupResult(context.lookup(pyStr(name), terms, options), wantlist === true)
  })
  for (const name of ['query', 'q']) {
    defineFunction(name, (args, kwargs, context) => {
      const [plugin, ...terms] = args
      return context.lookup(pyStr(plugin), terms, kwargs)
    })
  }
}
