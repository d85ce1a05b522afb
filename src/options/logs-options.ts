/** Options of `kafka-setup logs [broker|zookeeper] [-n N] [-f]`: which logs, how many lines, follow or not. */
import { UsageError } from '../errors.js';
import { type DaemonSpec, EVERY_KIND } from '../kafka/daemons.js';
import { type KafkaMode, modeOf } from '../kafka/mode.js';
import { type FlagsOf, resolveDeclared, toggle, value } from './declare.js';
import {
  type HostCommandFlags,
  type HostCommandOptions,
  hostCommandDeclarations,
  resolveHostCommandOptions,
} from './host-command-options.js';
import type { OptionDeps } from './init-options.js';
import { type Problem, printable } from './validate.js';

export const MAX_LINES = 100_000;

export function linesProblem(v: string): Problem {
  return /^[0-9]{1,6}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_LINES
    ? undefined
    : `"${printable(v)}" is not a number of lines; use a whole number from 1 to ${MAX_LINES}`;
}

export const logsDeclarations = {
  ...hostCommandDeclarations,
  lines: value({
    flag: '-n, --lines <count>',
    help: 'how many of the last lines to show',
    default: '50',
    validate: linesProblem,
    parse: Number,
  }),
  follow: toggle({
    flag: '-f, --follow',
    help: 'then print each new line as it is written, until Ctrl-C (which ends kafka-setup logs with exit 0)',
  }),
} as const;

export interface LogsFlags extends HostCommandFlags, FlagsOf<typeof logsDeclarations> {}

export interface LogsOptions extends HostCommandOptions {
  /** The install's mode: what init starts, and which logs there are. */
  mode: KafkaMode;
  daemons: readonly DaemonSpec[];
  lines: number;
  follow: boolean;
}

/**
 * The daemon argument: one daemon by its kind, or (none given) all of the mode's, in the order they
 * start. Without a mode (before the options are known) any kind a mode runs is accepted.
 */
export function daemonsNamed(name: string | undefined, mode?: KafkaMode): readonly DaemonSpec[] {
  const known = mode?.daemons ?? EVERY_KIND;
  if (name === undefined) return known;
  const d = known.find((x) => x.kind === name.trim().toLowerCase());
  if (!d) {
    const other = mode && EVERY_KIND.some((x) => x.kind === name.trim().toLowerCase());
    throw new UsageError(
      other
        ? `Kafka ${mode.id === 'kraft' ? '4 runs without ZooKeeper (KRaft): there is no zookeeper log' : 'runs no such daemon'}; name ${known.map((x) => x.kind).join(' or ')}`
        : `"${printable(name)}" is not a daemon kafka-setup runs; name ${known.map((x) => x.kind).join(' or ')}`,
      `e.g. kafka-setup logs broker -n 100, or kafka-setup logs for ${known.length > 1 ? 'both' : 'all'}`,
    );
  }
  return [d];
}

export async function resolveLogsOptions(daemon: string | undefined, flags: LogsFlags, deps: OptionDeps): Promise<LogsOptions> {
  // What needs no host is checked first: a typo fails before any question or connection.
  daemonsNamed(daemon);
  const { lines, follow } = await resolveDeclared({ lines: logsDeclarations.lines, follow: logsDeclarations.follow }, flags, undefined, {
    interactive: false,
    prompter: undefined,
  });
  const o = await resolveHostCommandOptions(flags, deps);
  const mode = modeOf(o.dist);
  return { ...o, mode, daemons: daemonsNamed(daemon, mode), lines, follow };
}
