/**
 * The command line: commands, their flags and help. Flags come from the option declarations (see
 * options/declare.ts), so their spelling, help and shown default are written in one place.
 */
import { Command, Option } from 'commander';
import type { InitArgs } from './commands/init.js';
import { type GlobalFlags, runCommand } from './main.js';
import { connectionDeclarations } from './options/connection-options.js';
import { type ControlAction, type ControlFlags, controlDeclarations } from './options/control-options.js';
import { type Decl, helpOf, type Table } from './options/declare.js';
import { type HostsFlags, hostsDeclarations } from './options/hosts-options.js';
import { initDeclarations } from './options/init-declarations.js';
import { type LogsFlags, logsDeclarations } from './options/logs-options.js';
import { type StatusFlags, statusDeclarations } from './options/status-options.js';
import { type UninstallFlags, uninstallConnectionDeclarations, uninstallDeclarations } from './options/uninstall-options.js';
import { type VerifyFlags, verifyDeclarations } from './options/verify-options.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
/** A flag given once stays a string; given again, it is the list of its values. */
const collectOne = (value: string, previous: string | string[] | undefined): string | string[] =>
  previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];

function commanderOptions(d: Decl): Option[] {
  const option = new Option(d.flag, helpOf(d));
  if (d.kind === 'list') option.argParser(collect);
  // --interactive first, so that --no-interactive does not make `true` the default.
  if (d.kind === 'switch' && d.hiddenPositive !== undefined)
    return [new Option(d.flag.replace('--no-', '--'), d.hiddenPositive).hideHelp(), option];
  return [option];
}

function declared(cmd: Command, ...tables: Table[]): Command {
  for (const table of tables) for (const d of Object.values(table)) for (const o of commanderOptions(d)) cmd.addOption(o);
  return cmd;
}

export function buildProgram(version: string): Command {
  const program = new Command()
    .name('kafka-setup')
    .description('Set up Kafka on a server over SSH, repeatably: 3.x with ZooKeeper (the default, 3.1.0), or 4.x with KRaft.')
    .version(version)
    .option('--verbose', 'print each remote command with its duration')
    .option('--debug', 'also print the SSH transport log and stack traces')
    // Commander's own errors (unknown option, missing value) are printed below like every other error.
    .configureOutput({ outputError: () => {} })
    .exitOverride();

  const init = declared(
    program
      .command('init')
      .description(
        'install Java and Kafka, configure and start its JVMs (ZooKeeper and the broker; Kafka 4: one KRaft node); safe to run again',
      ),
    connectionDeclarations,
    initDeclarations,
  );
  // Given several times, they make a cluster: one host each (see commands/init-cluster.ts).
  for (const o of init.options) if (o.long === '--host' || o.long === '--advertised-host') o.argParser(collectOne);
  init
    .addHelpText(
      'after',
      [
        '',
        'Several --host values make one cluster: a ZooKeeper ensemble and a broker on each host, set up at once.',
        "Each --host is [user@]host[:port]; --advertised-host HOST=ADDRESS gives one host's client address.",
        '',
        'Examples:',
        '  kafka-setup init --host 203.0.113.10 --key ~/Downloads/kafka-server-key.pem',
        '  kafka-setup init --host ec2-user@203.0.113.10 --host ec2-user@203.0.113.11 --host ec2-user@203.0.113.12 --key ~/Downloads/kafka-server-key.pem',
      ].join('\n'),
    )
    .action(async (flags: InitArgs, cmd: Command) => {
      // Each command loads its own modules only (verify's Kafka client is not needed by init).
      const { initCommand } = await import('./commands/init.js');
      await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), command: 'init' }, (io) => initCommand(flags, io));
    });

  declared(
    program
      .command('verify')
      .description(
        'check the broker: on the host (JVMs, ZooKeeper registration or the KRaft quorum, logs) and from this machine (port, ApiVersions, metadata, advertised addresses, a round trip)',
      ),
    connectionDeclarations,
    verifyDeclarations,
  )
    .addHelpText(
      'after',
      '\nExamples:\n  kafka-setup verify                       # the saved profile\n  kafka-setup verify --bootstrap 203.0.113.10:9092 --json',
    )
    .action(async (flags: VerifyFlags, cmd: Command) => {
      const { verifyCommand } = await import('./commands/verify.js');
      await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), json: flags.json === true, command: 'verify' }, (io) =>
        verifyCommand(flags, io),
      );
    });

  declared(
    program
      .command('hosts')
      .description('add, update or remove "<ip> <alias>" in this machine\'s hosts file (elevating with sudo when needed)'),
    hostsDeclarations,
  )
    .addHelpText(
      'after',
      '\nExamples:\n  kafka-setup hosts --alias my-kafka\n  kafka-setup hosts --alias my-kafka --ip 203.0.113.10 --dry-run\n  kafka-setup hosts --alias my-kafka --remove',
    )
    .action(async (flags: HostsFlags, cmd: Command) => {
      const { hostsCommand } = await import('./commands/hosts.js');
      await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), command: 'hosts' }, (io) => hostsCommand(flags, io));
    });

  declared(
    program
      .command('status')
      .description(
        "show each JVM on the host (ZooKeeper and the broker, or Kafka 4's one node): running, pid, uptime, heap, ports, started at boot, data (one SSH command)",
      ),
    connectionDeclarations,
    statusDeclarations,
  )
    .addHelpText(
      'after',
      '\nExit status: 0 when both run, 3 when one does not.\n\nExamples:\n  kafka-setup status\n  kafka-setup status --json',
    )
    .action(async (flags: StatusFlags, cmd: Command) => {
      const { statusCommand } = await import('./commands/status.js');
      await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), json: flags.json === true, command: 'status' }, (io) =>
        statusCommand(flags, io),
      );
    });

  const control: Array<[ControlAction, string]> = [
    ['stop', 'stop the broker, then ZooKeeper (Kafka 4: its one JVM), and wait until their ports are closed'],
    ['start', 'start ZooKeeper, then the broker (Kafka 4: its one JVM), and wait until each serves'],
    ['restart', 'stop the JVMs, then start them again, in order'],
  ];
  for (const [action, description] of control) {
    declared(program.command(action).description(description), connectionDeclarations, controlDeclarations)
      .addHelpText(
        'after',
        `\nThrough kafka-setup's systemd units where init installed them, else with Kafka's -daemon scripts.\n\nExample:\n  kafka-setup ${action}`,
      )
      .action(async (flags: ControlFlags, cmd: Command) => {
        const { controlCommand } = await import('./commands/control.js');
        await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), command: action }, (io) => controlCommand(action, flags, io));
      });
  }

  declared(
    program
      .command('uninstall')
      .description(
        'stop and remove what init put on the host (units, install, ~/.bashrc block); keeps the data unless --purge-data, and Java',
      ),
    uninstallConnectionDeclarations,
    uninstallDeclarations,
  )
    .addHelpText(
      'after',
      '\nExamples:\n  kafka-setup uninstall --dry-run          # show the plan\n  kafka-setup uninstall --yes --purge-data',
    )
    .action(async (flags: UninstallFlags, cmd: Command) => {
      const { uninstallCommand } = await import('./commands/uninstall.js');
      await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), command: 'uninstall' }, (io) => uninstallCommand(flags, io));
    });

  declared(
    program
      .command('logs')
      .argument('[daemon]', 'broker or zookeeper (default: every JVM the install runs)')
      .description("print the last lines of the JVMs' logs on the host (the broker's, ZooKeeper's), or follow them (-f) until Ctrl-C"),
    connectionDeclarations,
    logsDeclarations,
  )
    .addHelpText(
      'after',
      [
        '',
        'Ctrl-C is how -f ends: it stops following (on the host too) and exits with status 0.',
        'Only log lines go to stdout: kafka-setup logs broker -n 1000 > broker.log keeps them.',
        '',
        'Examples:',
        '  kafka-setup logs                         # the last 50 lines of both, the saved profile',
        '  kafka-setup logs broker -n 200',
        '  kafka-setup logs -f                      # both, each line prefixed with its daemon',
      ].join('\n'),
    )
    .action(async (daemon: string | undefined, flags: LogsFlags, cmd: Command) => {
      const { logsCommand } = await import('./commands/logs.js');
      // Human output off: stdout carries the log lines alone (steps, warnings and errors go to stderr).
      await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), json: true, command: 'logs' }, (io) => logsCommand(daemon, flags, io));
    });

  return program;
}
