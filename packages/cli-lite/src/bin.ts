#!/usr/bin/env node
import { processDeps, run } from './index.js';

void run(process.argv.slice(2), processDeps()).then((code) => (process.exitCode = code));
