import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { version } from '../../src/version.js'

it('reports the version of package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  expect(version).toBe(pkg.version)
})
