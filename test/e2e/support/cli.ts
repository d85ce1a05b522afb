/** Runs the built CLI as a user would: a child process with flags, no TTY, its own config dir. */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { quote } from '../../../src/remote/shell.js';
import { e2e } from './context.js';

// From this file, not the e2e context: the vm project (no loopback host, no e2e context) runs the CLI too.
const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The Node that runs the suite runs the CLI too (npm test's: the devDependency `node`), never a `node`
 * found on a PATH the test set for a user, which may be an older one the CLI turns away.
 */
export const NODE = process.execPath;
export const CLI = join(root, 'dist/cli.js');
/** The CLI as a shell command line starts it. */
export const CLI_COMMAND = `${quote(NODE)} ${quote(CLI)}`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr as a user would see them. */
  all: string;
}

export async function runCli(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  const r = await execa(NODE, [CLI, ...args], {
    reject: false,
    all: true,
    env: { NO_COLOR: '1', ...opts.env },
    timeout: opts.timeoutMs ?? 600_000,
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
  });
  const result = { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr, all: r.all ?? '' };
  // KS_SAMPLES=FILE collects real runs (for the README's examples).
  if (process.env.KS_SAMPLES)
    appendFileSync(process.env.KS_SAMPLES, `$ kafka-setup ${args.join(' ')}   # exit ${result.code}\n${result.all}\n\n`);
  return result;
}

/** The connection flags for the e2e host. */
export function hostFlags(knownHosts: string, port?: number): string[] {
  const { host } = e2e();
  return [
    '--host',
    '127.0.0.1',
    '--port',
    String(port ?? host.sshPort),
    '--user',
    host.user,
    '--key',
    host.keyPath,
    '--known-hosts',
    knownHosts,
  ];
}

export interface RunningCli {
  /** Resolves once the combined output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  pid: number;
  result: Promise<CliResult>;
}

/** Starts the CLI without waiting for it, to interrupt it (Ctrl-C is SIGINT) at a chosen moment. */
export function startCli(args: string[], opts: { env?: Record<string, string> } = {}): RunningCli {
  const child = execa(NODE, [CLI, ...args], {
    reject: false,
    all: true,
    env: { NO_COLOR: '1', ...opts.env },
    stdin: 'ignore',
    timeout: 600_000,
  });
  let all = '';
  child.all?.on('data', (d: Buffer) => {
    all += d.toString();
  });
  const result = child.then((r) => ({ code: r.exitCode ?? (r.signal ? 128 : -1), stdout: r.stdout, stderr: r.stderr, all: r.all ?? '' }));
  return {
    pid: child.pid ?? 0,
    signal: (sig) => {
      child.kill(sig);
    },
    result,
    async waitFor(pattern, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(all)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${all}`);
        if (child.nodeChildProcess.exitCode !== null)
          throw new Error(`the CLI exited (${child.nodeChildProcess.exitCode}) before ${pattern}:\n${all}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
