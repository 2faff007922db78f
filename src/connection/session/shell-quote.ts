// POSIX single-quote quoting: the only quoting with no special characters inside, so a value
// with spaces, quotes, `$()`, backticks or newlines reaches the remote shell as one literal word.

/** Quote `value` as one shell word. NUL cannot exist in a shell word (C strings), so it is refused. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL byte cannot be passed to a shell command')
  return `'${value.replaceAll("'", `'\\''`)}'`
}

const SAFE_BYTE = /[A-Za-z0-9 ,._+:@/=-]/

/**
 * Encode bytes as a printf format string of literal characters and 3-digit octal escapes (POSIX
 * printf), safe inside single quotes. The last-resort way to carry data through the shell itself.
 */
export function printfEscape(data: Buffer): string {
  let out = ''
  for (const byte of data) {
    const char = String.fromCharCode(byte)
    // A format that starts with '-' is an option to dash's printf ("Illegal option -").
    const literal = byte < 0x80 && SAFE_BYTE.test(char) && !(out === '' && char === '-')
    out += literal ? char : `\\${byte.toString(8).padStart(3, '0')}`
  }
  return out
}

/** Environment names a POSIX shell can export. */
export function assertEnvName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`invalid environment variable name '${name}'`)
  }
}
