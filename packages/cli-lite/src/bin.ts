#!/usr/bin/env node
import { processDeps, run } from './index.js';

process.exitCode = await run(process.argv.slice(2), processDeps());
