#!/usr/bin/env node
/** Command-line wiring only: commands, flags and help. The work happens in src/commands. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { InitFlags } from './options/init-options.js';
import type { HostsFlags } from './options/hosts-options.js';
import type { VerifyFlags } from './options/verify-options.js';
import { EXIT_USAGE } from './errors.js';
import { DEFAULT_KAFKA_VERSION, DEFAULT_MIRRORS, DEFAULT_SCALA_VERSION } from './kafka/distribution.js';
import { ignoreClosedOutput, runCommand, type GlobalFlags } from './main.js';
import { printUsageError } from './ui/reporter.js';

ignoreClosedOutput();

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'saved profile to read and write', 'default')
    .option('--host <host>', 'public IP address or DNS name of the server')
    .option('--port <port>', 'SSH port (default: 22)')
    .option('--user <user>', 'SSH user: ec2-user (Amazon Linux), ubuntu (Ubuntu), admin (Debian) (default: ec2-user)')
    .option('--key <path>', 'private key file (.pem) of the key pair')
    .option('--known-hosts <path>', 'known_hosts file to check and record the host key in (default: ~/.ssh/known_hosts)')
    .option('--passphrase-env <var>', 'environment variable holding the key\'s passphrase, for encrypted keys without a terminal')
    .option('--timeout <seconds>', 'give up connecting after this many seconds (default: 20)')
    .option('-y, --yes', 'take the defaults without asking (only values without a default are asked); consent in advance: accept and record a new host key, restrict an open key file to 0400')
    // --interactive first, so that --no-interactive does not make `true` the default.
    .addOption(new Option('--interactive', 'prompt even when stdin is not a terminal').hideHelp())
    .option('--no-interactive', 'never prompt; a missing value is an error (default when stdin is not a terminal)');
}

const program = new Command()
  .name('kafka-setup')
  .description('Set up a single-node Kafka broker and ZooKeeper on a server over SSH, repeatably.')
  .version(pkg.version)
  .option('--verbose', 'print each remote command with its duration')
  .option('--debug', 'also print the SSH transport log and stack traces')
  // Commander's own errors (unknown option, missing value) are printed below like every other error.
  .configureOutput({ outputError: () => {} })
  .exitOverride();

connectionOptions(
  program
    .command('init')
    .description('install Java and Kafka, configure and start ZooKeeper and the broker; safe to run again'),
)
  .option('--kafka-version <x.y.z>', `Kafka version, 3.0.0 to 3.9.x: the ZooKeeper-based releases (default: ${DEFAULT_KAFKA_VERSION})`)
  .option('--scala-version <x.y>', `Scala version of the build, 2.12 or 2.13 (default: ${DEFAULT_SCALA_VERSION})`)
  .option('--heap <size>', 'broker heap, e.g. 400m or 1g, at most 5g (default: auto, from the host\'s memory: 400m on 1 GB)')
  .option('--advertised-host <host>', 'address clients use to reach the broker (default: --host)')
  .option('--install-dir <path>', 'install directory on the host: absolute or ~/…, letters, digits and . _ + - / only (default: ~/kafka_<scala>-<version>)')
  .option('--mirror <url>', `download base URL (http or https, no credentials), repeatable, tried in order (default: ${DEFAULT_MIRRORS.join(', ')})`, collect)
  .option('--sha512 <hex>', 'expected SHA-512 of the tarball (default: the .sha512 published beside it)')
  .option('--dry-run', 'show the plan and the commands; change nothing')
  .addHelpText('after', '\nExample:\n  kafka-setup init --host 203.0.113.10 --key ~/Downloads/kafka-server-key.pem')
  .action(async (flags: InitFlags, cmd: Command) => {
    // Each command loads its own modules only (verify's Kafka client is not needed by init).
    const { initCommand } = await import('./commands/init.js');
    await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), command: 'init' }, (io) => initCommand(flags, io));
  });

connectionOptions(
  program
    .command('verify')
    .description('check the broker: on the host (JVMs, ZooKeeper, logs) and from this machine (port, ApiVersions, metadata, advertised addresses, a round trip)'),
)
  .option('--bootstrap <host:port>', 'broker address to check from here (default: the host, port 9092); alone, only the checks from this machine run')
  .option('--install-dir <path>', 'Kafka\'s directory on the host (default: the profile\'s, else ~/kafka_2.12-3.1.0)')
  .option('--no-roundtrip', 'skip the produce/consume round trip on a temporary topic')
  .option('--json', 'print the results as JSON on stdout (nothing else)')
  .addHelpText('after', '\nExamples:\n  kafka-setup verify                       # the saved profile\n  kafka-setup verify --bootstrap 203.0.113.10:9092 --json')
  .action(async (flags: VerifyFlags, cmd: Command) => {
    const { verifyCommand } = await import('./commands/verify.js');
    await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), json: flags.json === true, command: 'verify' }, (io) => verifyCommand(flags, io));
  });

program
  .command('hosts')
  .description('add, update or remove "<ip> <alias>" in this machine\'s hosts file (elevating with sudo when needed)')
  .option('--alias <name>', 'the name to give the broker, e.g. my-kafka')
  .option('--ip <address>', 'IPv4 or IPv6 address (default: the saved profile\'s host, resolved)')
  .option('--hosts-file <path>', 'the file to edit (default: /etc/hosts; on Windows %SystemRoot%\\System32\\drivers\\etc\\hosts)')
  .option('--remove', 'remove the alias instead')
  .option('--dry-run', 'show the change; write nothing')
  .option('-y, --yes', 'write without asking')
  .option('--profile <name>', 'saved profile to take the IP from', 'default')
  .addOption(new Option('--interactive', 'ask even when stdin is not a terminal').hideHelp())
  .option('--no-interactive', 'never ask (default when stdin is not a terminal)')
  .addHelpText('after', '\nExamples:\n  kafka-setup hosts --alias my-kafka\n  kafka-setup hosts --alias my-kafka --ip 203.0.113.10 --dry-run\n  kafka-setup hosts --alias my-kafka --remove')
  .action(async (flags: HostsFlags, cmd: Command) => {
    const { hostsCommand } = await import('./commands/hosts.js');
    await runCommand({ ...cmd.optsWithGlobals<GlobalFlags>(), command: 'hosts' }, (io) => hostsCommand(flags, io));
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // Help and --version exit 0; everything else commander refuses is a usage error.
  process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
  if (err.exitCode !== 0) {
    const sub = program.commands.find((c) => process.argv.slice(2).includes(c.name()))?.name();
    const help = `kafka-setup ${sub ? `${sub} ` : ''}--help`;
    if (err.code === 'commander.help') printUsageError('no command given', 'run kafka-setup init, verify or hosts (the list is above); kafka-setup <command> --help shows its flags');
    else printUsageError(err.message.replace(/^error: /, ''), `correct the command line; ${help} lists every flag`);
  }
}
