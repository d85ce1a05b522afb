/** The command line is derived from the option declarations: every flag, its help and its default. */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KAFKA_VERSION, DEFAULT_MIRRORS, DEFAULT_SCALA_VERSION } from '../src/kafka/distribution.js';
import { connectionDeclarations } from '../src/options/connection-options.js';
import { attrOf, helpOf, type Table } from '../src/options/declare.js';
import { hostsDeclarations } from '../src/options/hosts-options.js';
import { initDeclarations } from '../src/options/init-declarations.js';
import { logsDeclarations } from '../src/options/logs-options.js';
import { uninstallConnectionDeclarations, uninstallDeclarations } from '../src/options/uninstall-options.js';
import { verifyDeclarations } from '../src/options/verify-options.js';
import { buildProgram } from '../src/program.js';

const program = buildProgram('0.0.0-test');
const command = (name: string): Command => program.commands.find((c) => c.name() === name)!;
const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The help as printed, one option per line (wide enough that nothing wraps). */
const helpOfCommand = (name: string): string => command(name).configureHelp({ helpWidth: 1000 }).helpInformation();

const tables: Record<string, Table[]> = {
  init: [connectionDeclarations, initDeclarations],
  verify: [connectionDeclarations, verifyDeclarations],
  hosts: [hostsDeclarations],
  uninstall: [uninstallConnectionDeclarations, uninstallDeclarations],
  logs: [connectionDeclarations, logsDeclarations],
};

describe('the command line', () => {
  it.each(Object.keys(tables))('%s has exactly its declared options, in their order, with the help and default they declare', (name) => {
    const declared = tables[name]!.flatMap((t) => Object.values(t));
    const shown = command(name).options.filter((o) => !o.hidden);
    expect(shown.map((o) => o.flags)).toEqual(declared.map((d) => d.flag));
    const help = helpOfCommand(name);
    for (const d of declared) {
      const option = shown.find((o) => o.flags === d.flag)!;
      expect(option.description).toBe(helpOf(d));
      // Commander hands the value over under the name the flags types are derived with.
      expect(option.attributeName()).toBe(attrOf(d.flag));
      // No default is given to commander: flags arrive unset, and the precedence decides.
      expect(option.defaultValue).toBeUndefined();
      expect(help).toMatch(new RegExp(`^  ${literally(d.flag)} +${literally(helpOf(d))}$`, 'm'));
    }
  });

  it('shows the defaults the resolver uses, not copies of them', () => {
    const init = helpOfCommand('init');
    expect(init).toMatch(
      new RegExp(`--kafka-version <x\\.y\\.z\\|latest> .*\\(default: ${DEFAULT_KAFKA_VERSION.replace(/\./g, '\\.')}\\)`),
    );
    expect(init).toContain(`(default: ${DEFAULT_SCALA_VERSION} for 3.x, 2.13 for 4.x)`);
    expect(init).toContain(`(default: ${DEFAULT_MIRRORS.join(', ')})`);
    expect(init).toMatch(/--port <port> +SSH port \(default: 22\)/);
    expect(init).toMatch(/--install-dir <path> .*\(default: ~\/kafka_<scala>-<version>\)/);
    expect(helpOfCommand('verify')).toContain(`(default: the profile's, else ~/kafka_${DEFAULT_SCALA_VERSION}-${DEFAULT_KAFKA_VERSION})`);
  });

  it('keeps --interactive (hidden) before --no-interactive, so that not giving either leaves it unset', async () => {
    for (const name of ['init', 'verify', 'hosts', 'uninstall']) {
      const flags = command(name).options.map((o) => o.flags);
      expect(flags.indexOf('--interactive')).toBe(flags.indexOf('--no-interactive') - 1);
    }
    // A run of the parser alone: the action is replaced so that nothing connects.
    const p = buildProgram('0.0.0-test');
    let seen: Record<string, unknown> = {};
    for (const c of p.commands)
      c.action((flags: Record<string, unknown>) => {
        seen = flags;
      });
    await p.parseAsync(['node', 'kafka-setup', 'init', '--host', 'h', '--mirror', 'https://a/k', '--mirror', 'https://b/k']);
    expect(seen).toEqual({ host: 'h', mirror: ['https://a/k', 'https://b/k'] });
    await p.parseAsync(['node', 'kafka-setup', 'verify', '--no-roundtrip', '--no-interactive', '-y']);
    expect(seen).toEqual({ roundtrip: false, interactive: false, yes: true });
  });

  it('logs takes the daemon as an optional argument, -n/--lines and -f/--follow', async () => {
    const p = buildProgram('0.0.0-test');
    let seen: unknown[] = [];
    p.commands
      .find((c) => c.name() === 'logs')!
      .action((...args: unknown[]) => {
        seen = args.slice(0, 2);
      });
    await p.parseAsync(['node', 'kafka-setup', 'logs', 'broker', '-n', '5', '-f']);
    expect(seen).toEqual(['broker', { lines: '5', follow: true }]);
    await p.parseAsync(['node', 'kafka-setup', 'logs', '--lines', '7', '--follow']);
    expect(seen).toEqual([undefined, { lines: '7', follow: true }]);
    expect(helpOfCommand('logs')).toMatch(/Ctrl-C .*exit(s with status)? 0/);
  });
});
