import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { UsageError, UserError } from '../../src/errors.js';
import { type createReporter, printUsageError, type ReporterOptions, wantsLiveOutput } from '../../src/ui/reporter.js';
import { terminalSafeJson, visible } from '../../src/visible.js';
import { captureReporter } from '../support/capture-reporter.js';

/** A reporter writing into strings. */
function capture(o: Partial<ReporterOptions> = {}): { r: ReturnType<typeof createReporter>; out: () => string; err: () => string } {
  const { reporter: r, out, err } = captureReporter({ verbose: true, ...o });
  return { r, out, err };
}

// OSC 52 (clipboard write), a C1 CSI, CR overwrite, a bidi override, DEL, backspace.
const HOSTILE = 'a\u001b]52;c;ZWNobyBwd25lZA==\u0007b\u009b31mc\rd\u202ee\u007ff\bg';
/** Any byte or character that acts on a terminal, other than newline and tab. */
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('the reporter shows control characters instead of sending them to the terminal', () => {
  it('escapes them in every kind of output, human and plain', () => {
    for (const tty of [false, true]) {
      const { r, out, err } = capture({ tty });
      const step = r.step(`Title ${HOSTILE}`);
      step.update(HOSTILE);
      step.finish('done', `detail ${HOSTILE}`, [`extra ${HOSTILE}`, `two\nlines ${HOSTILE}`]);
      r.step('Failing').finish('failed', `${HOSTILE}\nsecond line`);
      r.info(`info ${HOSTILE}`);
      r.warn(`warn ${HOSTILE}`);
      r.verbose(`verbose ${HOSTILE}`);
      r.lines([`line ${HOSTILE}`, '\tTabbed(0): 0 to 9']);
      r.output([`output ${HOSTILE}`, `two\nlines ${HOSTILE}`]);
      r.check({ id: 'logs', title: `check ${HOSTILE}`, status: 'warn', detail: `1 in server.log:\n  [2024] ERROR ${HOSTILE}` });
      r.error(new UserError(`message ${HOSTILE}\nsecond ${HOSTILE}`, { hint: `hint ${HOSTILE}`, details: [`detail ${HOSTILE}`] }), true);
      r.error(new Error(`internal ${HOSTILE}`), true);
      const all = out() + err();
      expect(all).not.toMatch(ACTIVE);
      expect(all).toContain('\\x1b]52;c;ZWNobyBwd25lZA==\\x07');
      expect(all).toContain('\\x9b31m');
      expect(all).toContain('\\x0d');
      expect(all).toContain('\\u202e');
      expect(all).toContain('\tTabbed(0): 0 to 9');
    }
  });

  it('keeps the line layout it chooses: a check detail and error details become indented lines', () => {
    const { r, out, err } = capture();
    r.check({ id: 'logs', title: 'Recent ERROR/FATAL log lines', status: 'warn', detail: '1 in server.log:\n  ERROR \u001b[2Jboom' });
    expect(out()).toBe('[warn] Recent ERROR/FATAL log lines — 1 in server.log:\n    ERROR \\x1b[2Jboom\n');
    r.step('Start the broker').finish('done', 'started\u001b[1A\rFAKE [done] line');
    expect(out()).toContain('[done] Start the broker — started\\x1b[1A\\x0dFAKE [done] line\n');
    r.error(new UserError('the broker JVM exited', { details: ['last lines:\nERROR \u001b]0;title\u0007x'], hint: 'read the log' }), false);
    expect(err()).toBe('error: the broker JVM exited\n  last lines:\n  ERROR \\x1b]0;title\\x07x\nwhat to do: read the log\n');
  });

  it('prints JSON that parses back to the same value and holds no raw control character', () => {
    const { r, out } = capture({ quiet: true });
    const value = { detail: HOSTILE, list: ['\u0085', '\u2028'] };
    r.json(value);
    expect(out()).not.toMatch(ACTIVE);
    expect(out()).not.toMatch(/[\u2028\u2029]/);
    expect(JSON.parse(out())).toEqual(value);
    expect(terminalSafeJson('\u009b')).toBe('"\\u009b"');
  });

  it('visible() escapes newlines in one-line text, keeps tabs and ordinary Unicode', () => {
    expect(visible('a\nb\tc é ✔ 日本')).toBe('a\\x0ab\tc é ✔ 日本');
  });
});

describe('every failure ends in error: and what to do:', () => {
  it('gives a usage error without a hint the usual one, naming the command', () => {
    const { r, err } = capture({ command: 'init' });
    r.error(new UsageError('--heap: "lots" is not a heap size'), false);
    expect(err()).toBe(
      'error: --heap: "lots" is not a heap size\nwhat to do: correct the value and run the same command again; kafka-setup init --help describes every flag\n',
    );
  });

  it('gives any other failure without a hint a way to see more', () => {
    const { r, err } = capture();
    r.error(new UserError('it broke'), false);
    expect(err()).toMatch(/^error: it broke\nwhat to do: run the same command again with --verbose/);
  });

  it('reports a bug the same way, the stack only with --debug', () => {
    const { r, err } = capture();
    r.error(new TypeError('x is undefined'), false);
    expect(err()).toBe(
      'error: internal error: x is undefined\nwhat to do: this is a bug in kafka-setup: run again with --debug for the stack trace, and report it with the output\n',
    );
  });

  it("a host's reporter marks its log lines and, with human output off, its warnings (logs on a cluster), never the JSON", () => {
    const { r, out, err } = capture({ quiet: true });
    const h = r.labelled('10.0.0.2');
    h.output(['zookeeper | started', `x ${HOSTILE}`]);
    h.warn('following the log ended');
    h.json({ a: 1 });
    expect(out().split('\n')).toEqual([
      '[10.0.0.2] zookeeper | started',
      expect.stringMatching(/^\[10\.0\.0\.2\] x a\\x1b/),
      '{',
      '  "a": 1',
      '}',
      '',
    ]);
    expect(err()).toBe('[10.0.0.2] warning: following the log ended\n');
    r.output(['plain']);
    expect(out()).toMatch(/\nplain\n$/);
  });

  it('reports Ctrl-C with what to do', () => {
    const { r, err } = capture();
    r.interrupted();
    expect(err()).toMatch(/error: kafka-setup: interrupted \(Ctrl-C\).*\nwhat to do: run the same command again to continue\n$/);
  });

  it('prints commander-level usage errors in the same format', () => {
    let text = '';
    const e = new PassThrough();
    e.on('data', (d: Buffer) => {
      text += d.toString();
    });
    printUsageError("unknown option '--bogus'", 'kafka-setup init --help lists every flag', e, false);
    expect(text).toBe("error: unknown option '--bogus'\nwhat to do: kafka-setup init --help lists every flag\n");
  });
});

describe('spinners', () => {
  it('leave stdin alone, so a Ctrl-C typed while one spins is a SIGINT', () => {
    const seen: Array<Record<string, unknown>> = [];
    const fakeOra = ((opts: Record<string, unknown>) => {
      seen.push(opts);
      const s = { text: '', start: () => s, stop: () => s, stopAndPersist: () => s };
      return s;
    }) as unknown as typeof import('ora').default;
    const { r } = capture({ tty: true, ora: fakeOra });
    r.step('Start the broker').finish('done', 'started');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ discardStdin: false, isEnabled: true });
  });

  it('spin on a terminal only, and not under CI or TERM=dumb: there a long step writes plain lines instead of going silent', () => {
    expect(wantsLiveOutput({ isTTY: true }, {})).toBe(true);
    expect(wantsLiveOutput({ isTTY: false }, {})).toBe(false);
    expect(wantsLiveOutput({}, {})).toBe(false);
    expect(wantsLiveOutput({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(wantsLiveOutput({ isTTY: true }, { CI: '' })).toBe(false);
    expect(wantsLiveOutput({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});

describe('a long step shows it is alive', () => {
  it('without a spinner: a line every 10 s at most, with what it does now and for how long; none once it ends, none while paused', () => {
    vi.useFakeTimers();
    try {
      const { r, out } = capture({ tty: false });
      const step = r.step('Install Java');
      step.update('downloading 3 of 37 packages');
      vi.advanceTimersByTime(9_000);
      expect(out()).toBe('');
      vi.advanceTimersByTime(1_000);
      expect(out()).toBe('[....] Install Java — downloading 3 of 37 packages (10 s)\n');
      step.update('configuring 30 of 37 packages\u001b[2J');
      step.pause();
      vi.advanceTimersByTime(10_000);
      step.resume();
      vi.advanceTimersByTime(10_000);
      expect(out().split('\n').at(-2)).toBe('[....] Install Java — configuring 30 of 37 packages\\x1b[2J (30 s)');
      step.finish('done', 'openjdk-17-jre-headless');
      vi.advanceTimersByTime(60_000);
      expect(out().split('\n').filter(Boolean)).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('quiet (--json): no periodic line at all', () => {
    vi.useFakeTimers();
    try {
      const { r, out, err } = capture({ tty: false, quiet: true });
      r.step('Install Java').update('unpacking');
      vi.advanceTimersByTime(60_000);
      expect(out() + err()).toBe('');
    } finally {
      vi.useRealTimers();
    }
  });
});
