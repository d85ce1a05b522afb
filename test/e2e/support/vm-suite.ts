/** The describe block of tests that boot VMs (support/vm-host.ts), and what the vm project's global setup hands them. */
import { describe, inject } from 'vitest';
import { vmSkipReason } from './vm-host.js';

/** From test/e2e/parallel-global-setup.ts: the parallel project's own mirror (it runs beside the e2e project, sharing nothing with it). */
export interface VmContext {
  /** Set when the VM tests cannot run here (not root, not Linux): why. */
  skip?: string;
  /** The e2e mirror's `good` URL (on this machine's loopback: guestUrl relays it to the guest) and its port. */
  mirror?: { good: string; port: number };
  /** Holds kafka_2.12-3.1.0.tgz and its .sha512. */
  distDir?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    vm: VmContext;
  }
}

/** The context, inside tests of a describeVm block (where VMs run, so nothing is missing). */
export function vmContext(): Required<Omit<VmContext, 'skip'>> {
  const { skip, mirror, distDir } = inject('vm');
  if (skip) throw new Error(`the VM tests are skipped here (${skip}): use describeVm`);
  if (!mirror || !distDir) throw new Error('the VM context is incomplete: did test/e2e/parallel-global-setup.ts run?');
  return { mirror, distDir };
}

/** `describe`, skipped with one loud line where VMs cannot run here (or the e2e suite does not run at all). */
export function describeVm(name: string, fn: () => void): void {
  const reason = inject('vm').skip ?? vmSkipReason();
  if (reason) process.stderr.write(`e2e VM tests SKIPPED (${name}): ${reason}\n`);
  describe.skipIf(Boolean(reason))(name, fn);
}
