/**
 * The one owner of the terminal. On a TTY: an ora spinner per step and colour (unless NO_COLOR);
 * otherwise plain, greppable lines (`[done] Title — detail`), which is what CI logs and pipes get.
 * Every piece of text it is given (messages, details, hints, log lines from the host) passes through
 * `visible` before it is printed: only the reporter's own styling reaches the terminal as control
 * sequences. Failures all print the same way: `error:` what happened, `what to do:` the next step.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import type { CheckResult } from '../checks/types.js';
import { EXIT_USAGE, StepError, UserError } from '../errors.js';
import { terminalSafeJson, visible, visibleLines } from '../visible.js';

export type Outcome = 'done' | 'skipped' | 'planned' | 'failed';

export interface ActiveStep {
  /** What the step does now: the spinner's text, or (without a spinner) the next periodic line's. */
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
  /** A document on stdout (--json), even when human output is off. */
  json(value: unknown): void;
  /** The command's own data on stdout (log lines), even when human output is off; control characters escaped; a host's marked with its label. */
  output(lines: string[]): void;
  error(err: unknown, debug: boolean): void;
  /** Ctrl-C: the same `error:`/`what to do:` pair as any failure. */
  interrupted(): void;
  /** The reporter of one host among several set up at once: every line starts with `[label]`, and no spinner runs. */
  labelled(label: string): Reporter;
}

/** What to do when an error does not say, so that no failure ends without one. */
function defaultHint(err: UserError, command: string | undefined): string {
  return err.exitCode === EXIT_USAGE
    ? `correct the value and run the same command again; kafka-setup ${command ?? '<command>'} --help describes every flag`
    : 'run the same command again with --verbose to see each remote command (--debug adds the SSH log)';
}

export interface ReporterOptions {
  /** Live output: spinners and lines changed in place (see wantsLiveOutput); else a plain log. */
  tty: boolean;
  color: boolean;
  verbose: boolean;
  /** Human output off (e.g. --json): only errors, on stderr. */
  quiet?: boolean;
  /** The command running (init, verify, hosts), for the hints. */
  command?: string | undefined;
  /** ora's default export, loaded by the caller only for a TTY (spinners are useless elsewhere). */
  ora?: typeof import('ora').default;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
  /** Put before every line (a host's label, see labelled). */
  prefix?: string;
}

/** Without a spinner, a step still running says so at most this often. */
export const PLAIN_EVERY_MS = 10_000;

const PLAIN_TAG: Record<Outcome, string> = { done: '[done]', skipped: '[skip]', planned: '[plan]', failed: '[FAIL]' };

export function createReporter(o: ReporterOptions): Reporter {
  const out = o.out ?? process.stdout;
  const errStream = o.err ?? process.stderr;
  const c: ChalkInstance = new Chalk({ level: o.color ? 1 : 0 });
  const started = Date.now();
  const prefix = o.prefix ?? '';
  const write = (line: string): void => {
    if (!o.quiet) out.write(`${prefix}${line}\n`);
  };
  const symbol: Record<Outcome, string> = {
    done: c.green('✔'),
    skipped: c.dim('↷'),
    planned: c.cyan('•'),
    failed: c.red('✖'),
  };

  return {
    step(rawTitle) {
      const title = visible(rawTitle);
      const started = Date.now();
      let spinner: Ora | undefined;
      // discardStdin: false — ora's default puts stdin in raw mode while it spins, and then a Ctrl-C
      // typed in the terminal is a byte nobody reads instead of a SIGINT: the run could not be stopped.
      if (o.tty && !o.quiet && o.ora)
        spinner = o.ora({ text: title, stream: out, color: o.color ? 'cyan' : false, discardStdin: false, isEnabled: true }).start();
      // What the step is doing now, and for how long: in place on the spinner (its seconds tick), else
      // a line every PLAIN_EVERY_MS at most, so a log shows a long step is alive without filling up.
      let now = '';
      let paused = false;
      const seconds = (): number => Math.floor((Date.now() - started) / 1000);
      const spinnerText = (): string => `${title}${now ? ` — ${now}` : ''}${seconds() >= 2 ? c.dim(` (${seconds()} s)`) : ''}`;
      const ticker = o.quiet
        ? undefined
        : spinner
          ? setInterval(() => {
              if (spinner) spinner.text = spinnerText();
            }, 1000)
          : setInterval(() => {
              if (!paused) write(`${o.tty ? c.dim('…') : '[....]'} ${title}${now ? ` — ${now}` : ''} (${seconds()} s)`);
            }, PLAIN_EVERY_MS);
      ticker?.unref();
      return {
        update(text) {
          now = visible(text);
          if (spinner) spinner.text = spinnerText();
        },
        pause() {
          paused = true;
          spinner?.stop();
        },
        resume() {
          paused = false;
          spinner?.start();
        },
        finish(outcome, rawDetail, extraLines = []) {
          clearInterval(ticker);
          const detail = visible(rawDetail);
          const secs = (Date.now() - started) / 1000;
          const timing = outcome === 'done' && secs >= 0.5 ? c.dim(` (${secs.toFixed(1)} s)`) : '';
          if (o.tty) {
            const text = `${outcome === 'skipped' ? c.dim(title) : title}${detail ? c.dim(` — ${detail}`) : ''}${timing}`;
            if (spinner) spinner.stopAndPersist({ symbol: symbol[outcome], text });
            else write(`${symbol[outcome]} ${text}`);
          } else {
            write(`${PLAIN_TAG[outcome]} ${title}${detail ? ` — ${detail}` : ''}${timing}`);
          }
          for (const l of extraLines.flatMap((x) => x.split('\n'))) write(`    ${c.dim(visible(l))}`);
        },
      };
    },
    info(message) {
      write(visible(message));
    },
    warn(rawMessage) {
      const message = visible(rawMessage);
      if (o.quiet) errStream.write(`${prefix}warning: ${message}\n`);
      else write(o.tty ? `${c.yellow('⚠')} ${message}` : `warning: ${message}`);
    },
    verbose(message) {
      // Seconds since the start, so a slow step or round trip stands out.
      if (o.verbose) errStream.write(`${prefix}${c.dim(`+${((Date.now() - started) / 1000).toFixed(2)}s ${visible(message)}`)}\n`);
    },
    lines(lines) {
      for (const l of lines) write(visibleLines(l));
    },
    check(r) {
      // The detail's lines are laid out here; inside each one, nothing is a control character.
      const [first, ...more] = r.detail.split('\n').map(visible);
      const title = visible(r.title);
      if (o.tty) {
        const sym = { pass: c.green('✔'), warn: c.yellow('⚠'), fail: c.red('✖'), skip: c.dim('↷') }[r.status];
        write(`${sym} ${r.status === 'skip' ? c.dim(title) : title}${first ? c.dim(` — ${first}`) : ''}`);
      } else {
        write(`${{ pass: '[pass]', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' }[r.status]} ${title}${first ? ` — ${first}` : ''}`);
      }
      for (const l of more) write(`    ${c.dim(l.trim())}`);
    },
    json(value) {
      out.write(`${terminalSafeJson(value)}\n`);
    },
    output(lines) {
      for (const l of lines) out.write(`${prefix}${visible(l)}\n`);
    },
    error(err, debug) {
      if (err instanceof UserError) {
        const [message = '', ...continued] = (err instanceof StepError ? err.headline : err.message).split('\n');
        const hint = err.hint ?? defaultHint(err, o.command);
        errorLines(message, [...continued, ...err.details], hint);
        if (debug && err.stack) errStream.write(`${c.dim(visibleLines(err.stack))}\n`);
        return;
      }
      const e = err instanceof Error ? err : new Error(String(err));
      errorLines(
        `internal error: ${e.message}`,
        [],
        'this is a bug in kafka-setup: run again with --debug for the stack trace, and report it with the output',
      );
      if (debug) errStream.write(`${visibleLines(e.stack ?? '')}\n`);
    },
    labelled(label) {
      // Spinners of hosts running side by side would overwrite each other: plain lines, each with its host.
      const { ora: _spinners, ...rest } = o;
      return createReporter({ ...rest, prefix: `${prefix}[${visible(label)}] ` });
    },
    interrupted() {
      errStream.write('\n');
      errorLines('kafka-setup: interrupted (Ctrl-C); nothing half-done was left behind', [], 'run the same command again to continue');
    },
  };

  function errorLines(message: string, details: string[], hint: string): void {
    errStream.write(`${prefix}${c.red('error:')} ${visible(message)}\n`);
    for (const d of details.flatMap((x) => x.split('\n'))) errStream.write(`${prefix}  ${c.dim(visible(d))}\n`);
    errStream.write(`${prefix}${c.cyan('what to do:')} ${visible(hint)}\n`);
  }
}

/** The `error:`/`what to do:` pair without a command running (commander's own usage errors). */
export function printUsageError(
  message: string,
  hint: string,
  err: NodeJS.WritableStream = process.stderr,
  color = wantsColor(process.stderr),
): void {
  createReporter({ tty: false, color, verbose: false, quiet: true, err }).error(
    new UserError(message, { hint, exitCode: EXIT_USAGE }),
    false,
  );
}

/**
 * Output that changes in place (spinners, a progress line) only on a terminal that can show it, and
 * not under CI, whose logs keep every frame: the rule ora would apply by itself, decided here once so
 * that a disabled spinner never leaves a step silent while it runs.
 */
export function wantsLiveOutput(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb' && env.CI === undefined;
}

/** Colour only on a TTY and when NO_COLOR is unset (https://no-color.org). */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
