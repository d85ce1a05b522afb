#!/usr/bin/env node
/**
 * Command-line entry. First the Node.js version: an older one is told so before any dependency loads
 * (they need Node 22). Then Node's compile cache goes on before any other module loads: every run
 * after the first loads this tool's modules and its packages' from cached code instead of compiling
 * them again (measured in bench/). Then the program runs (src/run-program.ts).
 */
import module from 'node:module';
import { nodeSupported, unsupportedNodeMessage } from './node-support.js';

if (!nodeSupported(process.versions.node)) {
  process.stderr.write(unsupportedNodeMessage(process.versions.node));
  process.exit(1);
}
// A cache directory that cannot be used is simply not used.
module.enableCompileCache();
await import('./run-program.js');
