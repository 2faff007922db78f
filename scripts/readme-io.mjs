#!/usr/bin/env node
// Keeps the README's inputs/outputs tables equal to action.yml: rewrites the text between the
// <!-- action-io:start --> and <!-- action-io:end --> markers; with --check it only compares
// and exits 1 when the README is stale.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import YAML from 'yaml'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const action = YAML.parse(readFileSync(path.join(root, 'action.yml'), 'utf8'))
const readmePath = path.join(root, 'README.md')
const readme = readFileSync(readmePath, 'utf8')

const cell = text =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .trim()
const lines = ['### Inputs', '', '| input | default | description |', '|---|---|---|']
for (const [name, input] of Object.entries(action.inputs)) {
  const fallback = input.default === undefined ? '' : `\`${input.default}\``
  lines.push(`| \`${name}\` | ${fallback} | ${cell(input.description)} |`)
}
lines.push('', '### Outputs', '', '| output | description |', '|---|---|')
for (const [name, output] of Object.entries(action.outputs)) {
  lines.push(`| \`${name}\` | ${cell(output.description)} |`)
}

const start = '<!-- action-io:start -->'
const end = '<!-- action-io:end -->'
const from = readme.indexOf(start)
const to = readme.indexOf(end)
if (from < 0 || to < from) {
  console.error(`README.md lacks the ${start} … ${end} markers`)
  process.exit(1)
}
const updated = `${readme.slice(0, from + start.length)}\n${lines.join('\n')}\n${readme.slice(to)}`
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md inputs/outputs tables differ from action.yml: run `npm run docs`')
    process.exit(1)
  }
  console.log('README.md inputs/outputs tables match action.yml')
} else {
  writeFileSync(readmePath, updated)
  console.log('README.md inputs/outputs tables updated from action.yml')
}
