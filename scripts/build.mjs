#!/usr/bin/env node
// Bundles the three entry points with @vercel/ncc into one flat folder (default dist/):
// index.js (action main), post.js (action post), cli.js (kubectl-ansible, with a shebang), plus
// the assets ncc emits (minijinja's wasm), shared by all three. Usage: build.mjs [--out DIR]
//
// tsc compiles src/ to build/ once (type-checking on the way), then ncc bundles the JavaScript:
// letting ncc compile TypeScript itself type-checks the whole program once per entry, which made
// the build ten times slower.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, rm, writeFile, chmod } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ncc from '@vercel/ncc'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outIndex = process.argv.indexOf('--out')
const outDir = path.resolve(outIndex > 0 ? process.argv[outIndex + 1] : path.join(root, 'dist'))

// Compiled JavaScript goes inside the repo (so node_modules resolves), one folder per output
// folder so that concurrent builds (test bundles) don't collide. Its path ends up in the bundle's
// module comments, so dist/ always compiles through the same relative folder: the bundle must be
// byte-identical wherever the repository is cloned.
const defaultOut = path.join(root, 'dist')
const compiled = path.join(
  root,
  'build',
  outDir === defaultOut ? 'dist' : createHash('sha256').update(outDir).digest('hex').slice(0, 12)
)
const entries = [
  { source: 'src/index.js', output: 'index.js' },
  { source: 'src/post.js', output: 'post.js' },
  { source: 'src/cli.js', output: 'cli.js', executable: true }
]

await rm(compiled, { recursive: true, force: true })
try {
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      path.join(root, 'tsconfig.json'),
      '--outDir',
      compiled
    ],
    { stdio: 'inherit' }
  )
} catch {
  console.error('build: tsc failed (see above)')
  process.exit(1)
}

await rm(outDir, { recursive: true, force: true })
await mkdir(outDir, { recursive: true })
const written = new Map()
for (const entry of entries) {
  const { code, assets } = await ncc(path.join(compiled, entry.source), {
    cache: false,
    minify: false,
    sourceMap: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022'
  }).catch(error => {
    // ncc's own stack trace prints a line of its minified source; the message is what matters.
    console.error(
      `build of ${entry.source} failed:\n${String(error?.message ?? error).slice(0, 8000)}`
    )
    process.exit(1)
  })
  let text = code
  if (entry.executable && !text.startsWith('#!')) text = `#!/usr/bin/env node\n${text}`
  await writeFile(path.join(outDir, entry.output), text)
  if (entry.executable) await chmod(path.join(outDir, entry.output), 0o755)
  for (const [name, asset] of Object.entries(assets ?? {})) {
    // Entries share assets (same wasm, same licences); a differing copy would be a bundling bug.
    const previous = written.get(name)
    const data = Buffer.from(asset.source)
    if (previous && !previous.equals(data) && name !== 'licenses.txt') {
      throw new Error(`asset ${name} differs between bundles`)
    }
    if (name === 'licenses.txt' && previous && data.length < previous.length) continue
    written.set(name, data)
    await mkdir(path.dirname(path.join(outDir, name)), { recursive: true })
    await writeFile(path.join(outDir, name), data)
  }
}
await rm(compiled, { recursive: true, force: true })
await writeFile(path.join(outDir, 'package.json'), '{ "type": "module" }\n')
console.log(
  `built ${entries.map(e => e.output).join(', ')} into ${path.relative(root, outDir) || '.'}`
)
