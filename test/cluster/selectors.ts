// Kubernetes label selectors (`a=b,c!=d,e in (f,g),!h`) and field selectors
// (`metadata.name=x,status.phase!=Running`), parsed the way the API server reads them.
// A malformed selector is a client error (400), reported with the offending text.

export class SelectorError extends Error {}

type Requirement = (labels: Record<string, string>) => boolean

function splitTopLevel(selector: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const char of selector) {
    if (char === '(') depth++
    if (char === ')') depth--
    if (char === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else current += char
  }
  parts.push(current)
  return parts.map(part => part.trim()).filter(part => part !== '')
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`
const VALUE = String.raw`([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`

function parseRequirement(text: string): Requirement {
  let match = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(text)
  if (match) {
    const key = match[1]
    const values = new Set(match[4].split(',').map(value => value.trim()))
    return match[3] === 'in'
      ? labels => key in labels && values.has(labels[key])
      : labels => !(key in labels) || !values.has(labels[key])
  }
  match = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(text)
  if (match) {
    const [key, operator, value] = [match[1], match[3], match[4]]
    return operator === '!=' ? labels => labels[key] !== value : labels => labels[key] === value
  }
  match = new RegExp(`^(!?)\\s*(${KEY})$`).exec(text)
  if (match) {
    const key = match[2]
    return match[1] === '!' ? labels => !(key in labels) : labels => key in labels
  }
  throw new SelectorError(`unable to parse requirement: ${JSON.stringify(text)}`)
}

export function parseLabelSelector(selector: string): Requirement {
  const requirements = splitTopLevel(selector).map(parseRequirement)
  return labels => requirements.every(requirement => requirement(labels))
}

/** Field selectors: equality only, over the fields the API server supports for pods. */
export function parseFieldSelector(
  selector: string,
  supported: string[]
): (fields: Record<string, string>) => boolean {
  const checks = splitTopLevel(selector).map(term => {
    const match = /^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$/.exec(term)
    if (!match)
      throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`)
    const [field, operator, value] = [match[1], match[2], match[3]]
    if (!supported.includes(field)) throw new SelectorError(`field label not supported: ${field}`)
    return (fields: Record<string, string>) =>
      operator === '!=' ? fields[field] !== value : fields[field] === value
  })
  return fields => checks.every(check => check(fields))
}
