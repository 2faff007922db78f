#!/usr/bin/env node
import { main } from './cli/main.js'
import { processIO } from './cli/io.js'

void main(process.argv.slice(2), processIO()).then(code => (process.exitCode = code))
