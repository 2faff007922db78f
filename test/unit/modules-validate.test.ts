// The shared argument validator: Ansible's wording for every kind of bad argument.
import { describe, expect, it } from 'vitest'
import { getModule, listModules, runModule } from '../../src/modules/index.js'
import { ModuleArgsError, validateModuleArgs } from '../../src/modules/validate.js'

const file = getModule('file')!
const copy = getModule('ansible.builtin.copy')!

describe('module registry', () => {
  it('resolves short, builtin and legacy names to the same module', () => {
    expect(getModule('ansible.legacy.lineinfile')).toBe(getModule('lineinfile'))
    expect(getModule('ansible.builtin.lineinfile')).toBe(getModule('lineinfile'))
    expect(getModule('community.general.nothing')).toBeUndefined()
    expect(listModules()).toEqual(
      expect.arrayContaining(['copy', 'template', 'lineinfile', 'find', 'unarchive', 'wait_for'])
    )
  })

  it('modules that need Python on the target fail with a command/shell suggestion', async () => {
    const result = await runModule('ansible.builtin.apt', { name: 'curl' }, {} as never)
    expect(result.failed).toBe(true)
    expect(result.msg).toMatch(
      /needs Python on the target.*ansible\.builtin\.command or ansible\.builtin\.shell/
    )
  })
})

describe('validateModuleArgs', () => {
  it("rejects unknown arguments with Ansible's message, listing names and aliases", () => {
    expect(() =>
      validateModuleArgs(copy, { content: 'x', dest: '/tmp/a', foo: 1 }, 'ansible.legacy.copy')
    ).toThrow(
      'Unsupported parameters for (ansible.legacy.copy) module: foo. Supported parameters include: _original_basename, attributes, backup, checksum, content, decrypt, dest, directory_mode, follow, force, group, local_follow, mode, owner, remote_src, selevel, serole, setype, seuser, src, unsafe_writes, validate (attr).'
    )
  })

  it('checks choices, required arguments and booleans', () => {
    expect(() => validateModuleArgs(file, { path: '/x', state: 'bogus' })).toThrow(
      'value of state must be one of: absent, directory, file, hard, link, touch, got: bogus'
    )
    expect(() => validateModuleArgs(file, { state: 'file' })).toThrow(
      'missing required arguments: path'
    )
    expect(() => validateModuleArgs(file, { path: '/x', force: 'maybe' })).toThrow(
      "argument 'force' is of type <class 'str'> and we were unable to convert to bool: The value 'maybe' is not a valid boolean."
    )
  })

  it('maps aliases to canonical names, converts types and fills defaults', () => {
    const { args } = validateModuleArgs(file, { dest: '/x', force: 'yes', recurse: 0 })
    expect(args).toMatchObject({ path: '/x', force: true, recurse: false, follow: true })
    expect(validateModuleArgs(getModule('find')!, { paths: '/a,/b' }).args.paths).toEqual([
      '/a',
      '/b'
    ])
  })

  it('reports mutually exclusive arguments', () => {
    expect(() =>
      validateModuleArgs(getModule('lineinfile')!, {
        path: '/x',
        line: 'a',
        insertafter: 'EOF',
        insertbefore: 'BOF'
      })
    ).toThrow(ModuleArgsError)
  })
})
