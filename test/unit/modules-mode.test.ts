// File modes the way Ansible reads them (ints as-is, octal strings, symbolic chmod).
import { describe, expect, it } from 'vitest'
import { ModeError, formatMode, resolveMode } from '../../src/modules/mode.js'

describe('resolveMode', () => {
  it('takes YAML ints as they are and strings as octal', () => {
    expect(formatMode(resolveMode(644, 0o600, false))).toBe('01204')
    expect(resolveMode(0o644, 0o600, false)).toBe(0o644)
    expect(resolveMode('644', 0o600, false)).toBe(0o644)
    expect(resolveMode('0750', 0o600, false)).toBe(0o750)
  })

  it('applies symbolic modes to the current mode, with X for directories and executables', () => {
    expect(resolveMode('u=rw,g=r,o=r', 0o600, false)).toBe(0o644)
    expect(resolveMode('u+x,g-r', 0o644, false)).toBe(0o704)
    expect(resolveMode('u=rwX,g=rX,o=', 0o666, false)).toBe(0o640)
    expect(resolveMode('u=rwX,g=rX,o=', 0o777, true)).toBe(0o750)
    expect(resolveMode('+x', 0o644, false)).toBe(0o755)
  })

  it("rejects what is neither octal nor symbolic with Ansible's details", () => {
    expect(() => resolveMode('rwxr-xr-x', 0o644, false)).toThrow(ModeError)
    try {
      resolveMode('rwxr-xr-x', 0o644, false)
    } catch (error) {
      expect((error as ModeError).details).toBe('bad symbolic permission for mode: rwxr-xr-x')
    }
  })
})
