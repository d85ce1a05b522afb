#!/usr/bin/env node
/**
 * Command-line entry. Node's compile cache goes on before any other module loads: from Node 22 on,
 * every run after the first loads this tool's modules and its packages' from cached code instead of
 * compiling them again (measured in bench/). Then the program runs (src/run-program.ts).
 */
import module from 'node:module';

// Absent before Node 22.1; a cache directory that cannot be used is simply not used.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./run-program.js');
