/** Builds the program (src/program.ts), runs it, maps commander's refusals. The work happens in src/commands. */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { EXIT_USAGE } from './errors.js';
import { ignoreClosedOutput } from './main.js';
import { buildProgram } from './program.js';
import { printUsageError } from './ui/reporter.js';

ignoreClosedOutput();

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const program = buildProgram(pkg.version);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // Help and --version exit 0; everything else commander refuses is a usage error.
  process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
  if (err.exitCode !== 0) {
    const sub = program.commands.find((c) => process.argv.slice(2).includes(c.name()))?.name();
    const help = `kafka-setup ${sub ? `${sub} ` : ''}--help`;
    if (err.code === 'commander.help')
      printUsageError(
        'no command given',
        'run kafka-setup init, verify, hosts, status, stop, start, restart, logs or uninstall (the list is above); kafka-setup <command> --help shows its flags',
      );
    else printUsageError(err.message.replace(/^error: /, ''), `correct the command line; ${help} lists every flag`);
  }
}
