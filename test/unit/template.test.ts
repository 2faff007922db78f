// The templar's contract as the executor and modules use it: typed results, lazy variables,
// hostvars, unsafe values, errors with Ansible's shapes, conditions, template files.
import { describe, expect, it } from 'vitest'
import {
  ConditionalError,
  LazyMapping,
  OMIT_TOKEN,
  Templar,
  TemplateError,
  UndefinedVariableError,
  UnsafeText,
  dropOmitted,
  markUnsafe,
  listFilters,
  registerFilter
} from '../../src/template/index.js'
import { failure } from './template-failure.js'

const templar = new Templar()

describe('template()', () => {
  it('renders strings inside lists and dicts and leaves other values alone', () => {
    const value = { a: ['{{ x }}', 'plain', 3, null], b: { c: '{{ x }}-{{ x }}' }, '{{ k }}': true }
    expect(templar.template(value, { x: 'X', k: 'key' })).toEqual({
      a: ['X', 'plain', 3, null],
      b: { c: 'X-X' },
      key: true
    })
  })

  it('returns the same object when nothing in it is a template', () => {
    const facts = { os: { family: 'Debian' }, list: [1, 2] }
    expect(templar.template(facts, {})).toBe(facts)
  })

  it('converts like Ansible 2.14 non-native templating', () => {
    const vars = { port: 8080, flag: false, n: null, s: '[1, 2]' }
    expect(templar.template('{{ 1 }}', vars)).toBe('1')
    expect(templar.template('{{ port }}', vars)).toBe(8080)
    expect(templar.template('{{ flag }}', vars)).toBe(false)
    expect(templar.template('{{ n }}', vars)).toBeNull()
    expect(templar.template('{{ port + 1 }}', vars)).toBe('8081')
    expect(templar.template('{{ [1, "a"] }}', vars)).toEqual([1, 'a'])
    expect(templar.template('x{{ [1, "a", none, true] }}', vars)).toBe("x[1, 'a', None, True]")
    expect(templar.template('{{ s }}', vars)).toEqual([1, 2])
    expect(templar.template('{{ true }}', vars)).toBe(true)
    expect(templar.template('{{ "True" }}', vars)).toBe(true)
    expect(templar.template('{{ 2.5 }}', vars)).toBe('2.5')
    expect(templar.template('{{ {"b": 1} | to_json }}', vars)).toBe('{"b": 1}')
  })

  it('keeps strings when convertData is false', () => {
    expect(templar.template('{{ [1, 2] }}', {}, { convertData: false })).toBe('[1, 2]')
  })

  it('returns the text unrendered on undefined when failOnUndefined is false', () => {
    expect(templar.template('a {{ nope }}', {}, { failOnUndefined: false })).toBe('a {{ nope }}')
  })

  it('keeps the insertion order of dicts through filters', () => {
    const vars = { d: { zeta: 1, alpha: 2 } }
    expect(templar.template('{{ d | dict2items | map(attribute="key") | list }}', vars)).toEqual([
      'zeta',
      'alpha'
    ])
    expect(Object.keys(templar.template('{{ d | combine({"beta": 3}) }}', vars) as object)).toEqual(
      ['zeta', 'alpha', 'beta']
    )
  })

  it('reads digits after a dot as an index, as Jinja does (item.0, item.1.name)', () => {
    const vars = { item: [5, { name: 'n' }], pairs: [[1, 2]] }
    expect(templar.template('{{ item.0 }}-{{ item.1.name }}-{{ pairs[0].1 }}', vars)).toBe('5-n-2')
    expect(templar.template('{{ item.0 + 1.5 }}', vars)).toBe('6.5')
    expect(templar.evaluateConditional('item.0 == 5', vars)).toBe(true)
    expect(templar.template('{{ 1.0 }} {{ 2.5 }}', vars)).toBe('1.0 2.5')
  })

  it('doubles backslashes inside {{ }} string literals as Ansible does', () => {
    expect(templar.template("{{ 'a1b22' | regex_findall('\\d+') }}", {})).toEqual(['1', '22'])
  })
})

describe('variables', () => {
  it('renders a variable holding a template when it is used, with its own type', () => {
    const vars = { a: '{{ b }}', b: '{{ c }}', c: 5, list: ['{{ c }}'] }
    expect(templar.template('{{ a }}', vars)).toBe('5')
    expect(templar.template('{{ list }}', vars)).toEqual([5])
    // As in Ansible, `a` renders '{{ b }}' through Jinja, so it is the string '5'.
    expect(templar.evaluateConditional("a == '5'", vars)).toBe(true)
  })

  it('does not fail on a broken variable that the template does not read', () => {
    expect(templar.template('{{ ok }}', { ok: 'fine', broken: '{{ missing }}' })).toBe('fine')
  })

  it('reports the error of a broken variable that is read', () => {
    const error = failure(() => templar.template('{{ a }}', { a: '{{ missing }}' }))
    expect(error).toBeInstanceOf(UndefinedVariableError)
    expect(error.message).toBe("{{ missing }}: 'missing' is undefined")
  })

  it('detects recursion with a clear error', () => {
    const error = failure(() => templar.template('{{ a }}', { a: '{{ b }}', b: '{{ a }}' }))
    expect(error).toBeInstanceOf(TemplateError)
    expect(error.message).toContain('recursive loop detected in template string')
  })

  it('never renders !unsafe values, also when reached through another variable', () => {
    const vars = { secret: new UnsafeText('p{{ w }}d'), via: '{{ secret }}' }
    expect(templar.template(vars.secret, vars)).toBe('p{{ w }}d')
    expect(templar.template('{{ secret }}', vars)).toBe('p{{ w }}d')
    expect(templar.template('{{ via }}', vars)).toBe('p{{ w }}d')
  })

  it('never renders data marked unsafe, like a registered result', () => {
    const result = markUnsafe({ stdout: 'echo {{ secret }}', lines: ['{{ x }}'] })
    const vars = { result, secret: 'S', x: 'X' }
    expect(templar.template('{{ result.stdout }}', vars)).toBe('echo {{ secret }}')
    expect(templar.template('{{ result }}', vars)).toEqual({
      stdout: 'echo {{ secret }}',
      lines: ['{{ x }}']
    })
    expect(templar.template(markUnsafe('{{ x }}'), vars)).toBe('{{ x }}')
  })

  it('gives omit its placeholder and drops omitted module arguments', () => {
    const args = templar.template(
      { a: '{{ omit }}', b: '{{ nope | default(omit) }}', c: 1 },
      { omit: OMIT_TOKEN }
    )
    expect(dropOmitted(args as Record<string, unknown>)).toEqual({ c: 1 })
  })
})

describe('hostvars', () => {
  const hosts = Array.from({ length: 200 }, (_, i) => `h${i}`)
  function hostvarsCounting(fetched: string[]): LazyMapping {
    return new LazyMapping(
      host => {
        fetched.push(host)
        return hosts.includes(host)
          ? { inventory_hostname: host, url: 'http://{{ inventory_hostname }}:80' }
          : undefined
      },
      () => hosts
    )
  }

  it('fetches only the hosts a template subscripts and renders their vars in their own scope', () => {
    const fetched: string[] = []
    const vars = { hostvars: hostvarsCounting(fetched), other: 'h7' }
    expect(templar.template("{{ hostvars['h3'].url }} {{ hostvars[other]['url'] }}", vars)).toBe(
      'http://h3:80 http://h7:80'
    )
    expect(fetched.sort()).toEqual(['h3', 'h7'])
  })

  it('names a missing host like Ansible', () => {
    const error = failure(() =>
      templar.template("{{ hostvars['nohost'].x }}", { hostvars: hostvarsCounting([]) })
    )
    expect(error).toBeInstanceOf(UndefinedVariableError)
    expect(error.message).toBe(`"hostvars['nohost']" is undefined`)
  })

  it('reads vars[...] through the same lazy resolution', () => {
    expect(templar.template("{{ vars['my' ~ '_var'] }}", { my_var: '{{ 1 + 1 }}' })).toBe('2')
  })
})

describe('errors', () => {
  it.each([
    ['{{ x }}', {}, "'x' is undefined"],
    ['{{ d.missing }}', { d: { a: 1 } }, "'dict object' has no attribute 'missing'"],
    ['{{ d["missing"] }}', { d: { a: 1 } }, "'dict object' has no attribute 'missing'"],
    ['{{ l[5] }}', { l: [1] }, 'list object has no element 5'],
    ['{{ x | upper }}', {}, "'x' is undefined"],
    ['{% for i in x %}{% endfor %}', {}, "'x' is undefined"],
    ['{% if x %}{% endif %}', {}, "'x' is undefined"],
    [
      "{{ users | map(attribute='shell') | list }}",
      { users: [{ a: 1 }] },
      "'dict object' has no attribute 'shell'"
    ]
  ])('%s fails with %s', (source, vars, message) => {
    const error = failure(() => templar.template(source, vars))
    expect(error).toBeInstanceOf(UndefinedVariableError)
    expect(error.message).toBe(message)
  })

  it('allows undefined where Ansible does', () => {
    const vars = { d: {} }
    expect(
      templar.template('{{ nope.a.b | default("x") }}{{ d.a is defined }}{{ "y" if false }}', vars)
    ).toBe('xFalse')
  })

  it('reports mandatory, unknown filters/tests and syntax errors like Ansible', () => {
    expect(failure(() => templar.template('{{ x | mandatory }}', {})).message).toBe(
      "Mandatory variable 'x'  not defined."
    )
    expect(failure(() => templar.template('{{ 1 | nope_filter }}', {})).message).toContain(
      'Could not load "nope_filter"'
    )
    expect(failure(() => templar.template('{% if true %}x', {})).message).toMatch(
      /^template error while templating string: .*String: \{% if true %\}x$/
    )
    expect(failure(() => templar.template('{{ a + 1 }}', { a: '1' })).message).toContain(
      'Unexpected templating type error occurred on ({{ a + 1 }})'
    )
  })

  it('refuses in-place changes it cannot follow with a clear message', () => {
    expect(
      failure(() => templar.template("{{ (d or {}).update({'b': 2}) }}", { d: {} })).message
    ).toBe(
      'template error while templating string: changing the value of an expression in place ' +
        '(.update()) is not supported: only variables (x.append(...), x.k.update(...)) and ' +
        "literals can be changed. String: {{ (d or {}).update({'b': 2}) }}"
    )
  })

  it('keeps working after a filter failed (a JS exception never reaches the wasm engine)', () => {
    expect(() => templar.template('{{ "x" | from_json }}', {})).toThrow(TemplateError)
    expect(templar.template('{{ 1 + 1 }}', {})).toBe('2')
  })
})

describe('evaluateConditional()', () => {
  it('evaluates strings, lists (all must hold), booleans, numbers and empty values', () => {
    const vars = { a: 1, flag: 'false', empty: [] }
    expect(templar.evaluateConditional('a == 1', vars)).toBe(true)
    expect(templar.evaluateConditional(['a == 1', 'a > 2'], vars)).toBe(false)
    expect(templar.evaluateConditional([true, 'a == 1'], vars)).toBe(true)
    expect(templar.evaluateConditional(0, vars)).toBe(false)
    expect(templar.evaluateConditional(null, vars)).toBe(true)
    expect(templar.evaluateConditional('flag', vars)).toBe(true)
    expect(templar.evaluateConditional('flag | bool', vars)).toBe(false)
    expect(templar.evaluateConditional('empty', vars)).toBe(false)
    expect(templar.evaluateConditional("'80' == 80", vars)).toBe(false)
  })

  it('fails on undefined operands like Ansible, unless the condition guards them', () => {
    const vars = { d: { a: 1 } }
    expect(() => templar.evaluateConditional('x == 1', vars)).toThrow(/'x' is undefined/)
    expect(() => templar.evaluateConditional('d.b == 1', vars)).toThrow(
      /'dict object' has no attribute 'b'/
    )
    expect(templar.evaluateConditional('x is defined and x == 1', vars)).toBe(false)
    expect(templar.evaluateConditional("x | default('a') == 'a'", vars)).toBe(true)
    expect(templar.evaluateConditional('d.a == 1', vars)).toBe(true)
  })

  it('warns about {{ }} in a condition through the callback', () => {
    const warnings: string[] = []
    expect(
      templar.evaluateConditional('{{ a }}', { a: true }, { onWarning: w => warnings.push(w) })
    ).toBe(true)
    expect(warnings).toEqual([
      'conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: {{ a }}'
    ])
  })

  it('fails with the conditional check message', () => {
    const error = failure(() => templar.evaluateConditional('yes', {}))
    expect(error).toBeInstanceOf(ConditionalError)
    expect(error.message).toBe(
      "The conditional check 'yes' failed. The error was: error while evaluating conditional (yes): 'yes' is undefined"
    )
    expect(failure(() => templar.evaluateConditional('r is failed', { r: 'text' })).message).toBe(
      "The conditional check 'r is failed' failed. The error was: The 'failed' test expects a dictionary"
    )
  })
})

describe('renderTemplateFile()', () => {
  it('uses trim_blocks by default and keeps the trailing newlines of the source', () => {
    const text = '{% for h in hosts %}\nserver {{ h }}\n{% endfor %}\n\n'
    expect(templar.renderTemplateFile(text, { hosts: ['a', 'b'] })).toBe('server a\nserver b\n\n')
  })

  it('honours lstripBlocks, trimBlocks and newlineSequence', () => {
    const text = 'x\n  {% if true %}\ny\n  {% endif %}\n'
    expect(templar.renderTemplateFile(text, {}, { lstripBlocks: true })).toBe('x\ny\n')
    expect(
      templar.renderTemplateFile('a\n{% if true %}\nb\n{% endif %}\n', {}, { trimBlocks: false })
    ).toBe('a\n\nb\n')
    expect(templar.renderTemplateFile('a\nb\n', {}, { newlineSequence: '\r\n' })).toBe('a\r\nb\r\n')
  })

  it('does not double backslashes and prints Python values', () => {
    expect(
      templar.renderTemplateFile("{{ 'a\\\\b' }} {{ flag }} {{ [1] }}\n", { flag: true })
    ).toBe('a\\b True [1]\n')
  })
})

describe('filters', () => {
  it('can be extended by other layers', () => {
    registerFilter(
      'shout',
      (value, args, kwargs) => `${String(value)}${String(args[0] ?? '')}${kwargs.end ?? '!'}`
    )
    expect(listFilters()).toContain('shout')
    expect(templar.template('{{ "hi" | shout("?", end=".") }}', {})).toBe('hi?.')
    expect(templar.template('{{ ["a"] | map("shout") | list }}', {})).toEqual(['a!'])
  })

  it.each([
    ["{{ 'host-01' | regex_replace('^([a-z]+)-(\\d+)$', '\\2-\\1') }}", '01-host'],
    ["{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=true) }}", { a: { x: 1, y: 2 } }],
    ['{{ "it\'s" | quote }}', `'it'"'"'s'`],
    ["{{ '1.10' is version('1.9', '>') }}", true],
    ["{{ 'hello' | b64encode | b64decode }}", 'hello'],
    [
      "{{ 'hello' | hash('sha256') }}",
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'
    ],
    ["{{ none | ternary('t', 'f', 'n') }}", 'n'],
    ['{{ [3, 1, 2] | max }}/{{ [1, [2, [3]]] | flatten | sum }}', '3/6'],
    ["{{ 'a b' | split | join('-') }}", 'a-b'],
    [
      "{{ '/a/b.txt' | basename }} {{ '/a/b.txt' | dirname }} {{ 'b.tar.gz' | splitext | last }}",
      'b.txt /a .gz'
    ],
    ["{{ {'b': [1, 'x']} | to_nice_yaml }}", 'b:\n- 1\n- x\n'],
    [
      "{{ {'b': 1, 'a': [1, 2]} | to_nice_json(indent=2) }}",
      '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}'
    ],
    [
      "{{ 60 | random(seed='web01') }} {{ [1, 2, 3, 4, 5] | shuffle(seed='fixed') }}",
      '22 [3, 5, 4, 2, 1]'
    ],
    [
      "{{ {'k': 1}.get('k') }}-{{ {}.get('z', 'dflt') }}-{{ {'n': {'m': 2}}['n'].get('m', 0) + 1 }}",
      '1-dflt-3'
    ],
    [
      "{{ ['a', 'b'].index('b') }} {{ 'v1.2'.partition('.') | last }} {{ '{}:{}'.format('a', 2) }}",
      '1 2 a:2'
    ],
    [
      "{{ '%s=%03d' % ('k', 7) }} {{ 'x-%s' % ['a', 'b'] | join(',') }} {{ 7 % 3 }}",
      'k=007 x-a,b 1'
    ],
    ["{{ 'x' | password_hash('sha512') | default('') }}", null]
  ])('%s', (source, expected) => {
    if (expected === null)
      expect(() => templar.template(source, {})).toThrow(/password_hash is not supported/)
    else expect(templar.template(source, {})).toEqual(expected)
  })
})
