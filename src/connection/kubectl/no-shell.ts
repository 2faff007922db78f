// Pods without any shell (distroless images) can still run a plain program: kubectl exec
// passes an argv straight to the container runtime. A command is split into words the way
// sh would split a simple command; anything that needs a shell to mean what it says
// (pipes, redirections, expansions, globbing) is refused with a clear message instead of
// being run differently than written.

const SHELL_SYNTAX = /[|&;<>()$`*?[\]{}~#\n]/

export function splitSimpleCommand(command: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  for (let index = 0; index < command.length; index++) {
    const char = command[index]!
    if (char === "'") {
      const end = command.indexOf("'", index + 1)
      if (end === -1) throw new Error(`unterminated quote in: ${command}`)
      word += command.slice(index + 1, end)
      index = end
      inWord = true
    } else if (char === '"') {
      let end = index + 1
      for (; end < command.length && command[end] !== '"'; end++) {
        const inner = command[end]!
        const next = command[end + 1] ?? ''
        if (inner === '\\' && '$`"\\\n'.includes(next) && next !== '') {
          if (next !== '\n') word += next
          end++
        } else if (inner === '$' || inner === '`') {
          throw new Error(`the pod has no shell to expand ${inner} in: ${command}`)
        } else {
          word += inner
        }
      }
      if (end >= command.length) throw new Error(`unterminated quote in: ${command}`)
      index = end
      inWord = true
    } else if (char === '\\') {
      word += command[index + 1] ?? ''
      index++
      inWord = true
    } else if (char === ' ' || char === '\t') {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else if (SHELL_SYNTAX.test(char)) {
      throw new Error(`the pod has no shell to interpret '${char}' in: ${command}`)
    } else {
      word += char
      inWord = true
    }
  }
  if (inWord) words.push(word)
  if (words.length === 0) throw new Error('empty command')
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) {
    throw new Error(`the pod has no shell to set ${words[0]} for: ${command}`)
  }
  return words
}
