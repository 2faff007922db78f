// Ansible's file mode semantics (module_utils/basic.py set_mode_if_different): an int is taken
// as-is (so YAML `644` is 0o1204), a string is octal when it parses as octal, else symbolic
// chmod syntax applied to the current mode.

export class ModeError extends Error {
  constructor(
    message: string,
    readonly details: string
  ) {
    super(message)
    this.name = 'ModeError'
  }
}

const PERM_BITS = 0o7777
const USERS_RE = /[^ugo]/
const PERMS_RE = /[^rwxXstugo]/

/** The umask Ansible's module process would run with; the corpus was generated with 022. */
const DEFAULT_UMASK = 0o022

/** '0644' style: at least three octal digits after a leading 0, as Ansible prints modes. */
export function formatMode(mode: number): string {
  return '0' + (mode & PERM_BITS).toString(8).padStart(3, '0')
}

/** True when `mode` is the literal string 'preserve' (copy/template only). */
export function isPreserve(mode: unknown): boolean {
  return mode === 'preserve'
}

/**
 * The permission bits `requested` asks for, given the path's current permission bits and type.
 * Throws ModeError with Ansible's message and details when the value cannot be understood.
 */
export function resolveMode(
  requested: unknown,
  currentMode: number,
  isDirectory: boolean,
  umask = DEFAULT_UMASK
): number {
  if (typeof requested === 'number' && Number.isInteger(requested)) return requested
  const text = String(requested)
  const octal = parsePythonOctal(text)
  if (octal !== null) return octal
  let mode: number
  try {
    mode = symbolicToOctal(text, currentMode, isDirectory, umask)
  } catch (error) {
    throw new ModeError('mode must be in octal or symbolic form', (error as Error).message)
  }
  if (mode !== (mode & PERM_BITS)) {
    throw new ModeError('Invalid mode supplied, only permission info is allowed', String(mode))
  }
  return mode
}

// Python's int(text, 8): optional sign, optional 0o prefix, underscores between digits, spaces.
function parsePythonOctal(text: string): number | null {
  const match = /^\s*([+-]?)(?:0[oO])?_?([0-7](?:_?[0-7])*)\s*$/.exec(text)
  if (!match) return null
  const value = parseInt(match[2].replace(/_/g, ''), 8)
  return match[1] === '-' ? -value : value
}

function symbolicToOctal(
  symbolic: string,
  currentMode: number,
  isDirectory: boolean,
  umask: number
): number {
  let mode = currentMode & PERM_BITS
  for (const clause of symbolic.split(',')) {
    const parts = clause.split(/[+=-]/)
    const operators = clause.match(/[+=-]/g) ?? []
    let users = parts.shift() ?? ''
    const useUmask = users === ''
    if (users === 'a' || users === '') users = 'ugo'
    if (USERS_RE.test(users)) throw new Error(`bad symbolic permission for mode: ${clause}`)
    parts.forEach((perms, index) => {
      if (PERMS_RE.test(perms)) throw new Error(`bad symbolic permission for mode: ${clause}`)
      for (const user of users) {
        const bits = permsToBits(user, perms, currentMode, isDirectory, useUmask, umask)
        mode = applyOperator(user, operators[index], bits, mode)
      }
    })
  }
  return mode
}

function applyOperator(user: string, operator: string, bits: number, mode: number): number {
  if (operator === '=') {
    const mask = user === 'u' ? 0o4700 : user === 'g' ? 0o2070 : 0o1007
    return (mode & (mask ^ PERM_BITS)) | bits
  }
  if (operator === '+') return mode | bits
  return mode - (mode & bits)
}

function permsToBits(
  user: string,
  perms: string,
  originalMode: number,
  isDirectory: boolean,
  useUmask: boolean,
  umask: number
): number {
  // Ansible reads u/g/o copies and X from the mode the path had before this call.
  const prev = originalMode & PERM_BITS
  const applyX = isDirectory || (prev & 0o111) > 0
  const shift = user === 'u' ? 6 : user === 'g' ? 3 : 0
  const masked = (bit: number) => (useUmask ? (umask ^ PERM_BITS) & bit : bit)
  const copyOf = (from: number) => (((prev >> from) & 0o7) << shift) & 0o777
  let bits = 0
  for (const perm of perms) {
    switch (perm) {
      case 'r':
        bits |= masked(0o4 << shift)
        break
      case 'w':
        bits |= masked(0o2 << shift)
        break
      case 'x':
        bits |= masked(0o1 << shift)
        break
      case 'X':
        bits |= applyX ? 0o1 << shift : 0
        break
      case 's':
        bits |= user === 'u' ? 0o4000 : user === 'g' ? 0o2000 : 0
        break
      case 't':
        bits |= user === 'o' ? 0o1000 : 0
        break
      case 'u':
        bits |= copyOf(6)
        break
      case 'g':
        bits |= copyOf(3)
        break
      case 'o':
        bits |= copyOf(0)
        break
    }
  }
  return bits
}

/** The is* flags Ansible's stat and find report, from st_mode's file-type bits. */
export function fileTypeFlags(rawMode: number): Record<string, boolean> {
  const format = rawMode & 0o170000
  return {
    isdir: format === 0o040000,
    ischr: format === 0o020000,
    isblk: format === 0o060000,
    isreg: format === 0o100000,
    isfifo: format === 0o010000,
    islnk: format === 0o120000,
    issock: format === 0o140000
  }
}
