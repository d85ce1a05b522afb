/** The describe block of tests that boot VMs (support/vm-host.ts). */
import { describe, inject } from 'vitest';
import { vmSkipReason } from './vm-host.js';

/** `describe`, skipped with one loud line where VMs cannot run here (or the e2e suite does not run at all). */
export function describeVm(name: string, fn: () => void): void {
  const reason = inject('e2e').skip ?? vmSkipReason();
  if (reason) process.stderr.write(`e2e VM tests SKIPPED (${name}): ${reason}\n`);
  describe.skipIf(Boolean(reason))(name, fn);
}
