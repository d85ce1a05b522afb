/**
 * The one owner of the terminal. On a TTY: an ora spinner per step and colour (unless NO_COLOR);
 * otherwise plain, greppable lines (`[done] Title — detail`), which is what CI logs and pipes get.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import type { CheckResult } from '../checks/types.js';
import { UserError } from '../errors.js';

export type Outcome = 'done' | 'skipped' | 'planned' | 'failed';

export interface ActiveStep {
  /** Replaces the spinner text (TTY only; plain output stays quiet until the step ends). */
  update(text: string): void;
  /** Clears the spinner while something else (a prompt) uses the terminal. */
  pause(): void;
  resume(): void;
  finish(outcome: Outcome, detail: string, extraLines?: string[]): void;
}

export interface Reporter {
  step(title: string): ActiveStep;
  info(message: string): void;
  warn(message: string): void;
  /** Only with --verbose. */
  verbose(message: string): void;
  /** Lines printed as they are (summaries, tables). */
  lines(lines: string[]): void;
  /** One verify check: ✔ pass, ⚠ warn, ✖ fail, ↷ skip (plain: [pass] [warn] [FAIL] [skip]). */
  check(c: CheckResult): void;
  error(err: unknown, debug: boolean): void;
}

export interface ReporterOptions {
  tty: boolean;
  color: boolean;
  verbose: boolean;
  /** Human output off (e.g. --json): only errors, on stderr. */
  quiet?: boolean;
  /** ora's default export, loaded by the caller only for a TTY (spinners are useless elsewhere). */
  ora?: typeof import('ora').default;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

const PLAIN_TAG: Record<Outcome, string> = { done: '[done]', skipped: '[skip]', planned: '[plan]', failed: '[FAIL]' };

export function createReporter(o: ReporterOptions): Reporter {
  const out = o.out ?? process.stdout;
  const errStream = o.err ?? process.stderr;
  const c: ChalkInstance = new Chalk({ level: o.color ? 1 : 0 });
  const started = Date.now();
  const write = (line: string): void => {
    if (!o.quiet) out.write(`${line}\n`);
  };
  const symbol: Record<Outcome, string> = {
    done: c.green('✔'),
    skipped: c.dim('↷'),
    planned: c.cyan('•'),
    failed: c.red('✖'),
  };

  return {
    step(title) {
      const started = Date.now();
      let spinner: Ora | undefined;
      if (o.tty && !o.quiet && o.ora) spinner = o.ora({ text: title, stream: out, color: o.color ? 'cyan' : false }).start();
      return {
        update(text) {
          if (spinner) spinner.text = `${title} — ${text}`;
        },
        pause() {
          spinner?.stop();
        },
        resume() {
          spinner?.start();
        },
        finish(outcome, detail, extraLines = []) {
          const secs = (Date.now() - started) / 1000;
          const timing = outcome === 'done' && secs >= 0.5 ? c.dim(` (${secs.toFixed(1)} s)`) : '';
          if (o.tty) {
            const text = `${outcome === 'skipped' ? c.dim(title) : title}${detail ? c.dim(` — ${detail}`) : ''}${timing}`;
            if (spinner) spinner.stopAndPersist({ symbol: symbol[outcome], text });
            else write(`${symbol[outcome]} ${text}`);
          } else {
            write(`${PLAIN_TAG[outcome]} ${title}${detail ? ` — ${detail}` : ''}${timing}`);
          }
          for (const l of extraLines) write(`    ${c.dim(l)}`);
        },
      };
    },
    info(message) {
      write(message);
    },
    warn(message) {
      if (o.quiet) errStream.write(`warning: ${message}\n`);
      else write(o.tty ? `${c.yellow('⚠')} ${message}` : `warning: ${message}`);
    },
    verbose(message) {
      // Seconds since the start, so a slow step or round trip stands out.
      if (o.verbose) errStream.write(`${c.dim(`+${((Date.now() - started) / 1000).toFixed(2)}s ${message}`)}\n`);
    },
    lines(lines) {
      for (const l of lines) write(l);
    },
    check(r) {
      const [first, ...more] = r.detail.split('\n');
      if (o.tty) {
        const sym = { pass: c.green('✔'), warn: c.yellow('⚠'), fail: c.red('✖'), skip: c.dim('↷') }[r.status];
        write(`${sym} ${r.status === 'skip' ? c.dim(r.title) : r.title}${first ? c.dim(` — ${first}`) : ''}`);
      } else {
        write(`${{ pass: '[pass]', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' }[r.status]} ${r.title}${first ? ` — ${first}` : ''}`);
      }
      for (const l of more) write(`    ${c.dim(l.trim())}`);
    },
    error(err, debug) {
      if (err instanceof UserError) {
        errStream.write(`${c.red('error:')} ${err.message}\n`);
        for (const d of err.details) errStream.write(`  ${c.dim(d)}\n`);
        if (err.hint) errStream.write(`${c.cyan('what to do:')} ${err.hint}\n`);
        if (debug && err.stack) errStream.write(`${c.dim(err.stack)}\n`);
        return;
      }
      const e = err instanceof Error ? err : new Error(String(err));
      errStream.write(`${c.red('internal error:')} ${e.message}\n`);
      errStream.write(debug ? `${e.stack ?? ''}\n` : `This is a bug in kafka-setup. Run again with --debug for details and report it.\n`);
    },
  };
}

/** Colour only on a TTY and when NO_COLOR is unset (https://no-color.org). */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
