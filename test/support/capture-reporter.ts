/** A reporter writing into strings (plain, no colour), for tests that read what a command printed. */
import { PassThrough } from 'node:stream';
import { createReporter, type ReporterOptions } from '../../src/ui/reporter.js';

export function captureReporter(o: Partial<ReporterOptions> = {}): {
  reporter: ReturnType<typeof createReporter>;
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  const o1 = new PassThrough();
  const e1 = new PassThrough();
  o1.on('data', (d: Buffer) => {
    out += d.toString();
  });
  e1.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const reporter = createReporter({ tty: false, color: false, verbose: false, out: o1, err: e1, ...o });
  return { reporter, out: () => out, err: () => err };
}
