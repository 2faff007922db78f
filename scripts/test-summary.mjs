#!/usr/bin/env node
// Prints vitest's JSON report as the plain closing line CI reads: "N passed, N failed, N skipped".
import { readFileSync } from 'node:fs'

const file = process.argv[2] ?? '.tmp/vitest-report.json'
let report
try {
  report = JSON.parse(readFileSync(file, 'utf8'))
} catch (error) {
  console.error(`no test report at ${file}: ${error.message}`)
  process.exit(1)
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`)
