/**
 * `kafka-setup hosts --alias NAME [--ip IP]`: one entry in the hosts file, added, updated or removed;
 * shown first, asked for on a terminal, written atomically with a one-time backup, then checked by
 * resolving the name on this machine.
 */
import { lookup } from 'node:dns/promises';
import { resolve } from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { aliasOfThisMachine, lookupAlias, removeAlias, setAlias } from '../local/hosts-file.js';
import { type Runner, readHostsFile, writeHostsFile } from '../local/hosts-write.js';
import { type HostsFlags, type HostsOptions, resolveHostsOptions } from '../options/hosts-options.js';
import { isInteractive } from '../options/resolve.js';
import type { CommandIO } from './io.js';

async function flushMacDnsCache(io: CommandIO): Promise<void> {
  if (process.platform !== 'darwin') return;
  const { execa } = await import('execa');
  // Apple's documented way; without it the old address can linger for minutes.
  await execa('dscacheutil', ['-flushcache'], { reject: false });
  await execa('sudo', ['-n', 'killall', '-HUP', 'mDNSResponder'], { reject: false });
  io.reporter.verbose('flushed the macOS DNS cache');
}

async function checkResolution(o: HostsOptions, io: CommandIO): Promise<boolean> {
  const active = io.reporter.step(`Resolve ${o.alias} on this machine`);
  if (!o.system) {
    active.finish('skipped', `${o.path} is not the system hosts file`);
    return true;
  }
  const addresses = await lookup(o.alias, { all: true }).then(
    (all) => all.map((a) => a.address),
    () => [] as string[],
  );
  if (o.remove) {
    active.finish(
      'done',
      addresses.length
        ? `${o.alias} still resolves (to ${addresses.join(', ')}), from DNS or another source`
        : `${o.alias} no longer resolves`,
    );
    return true;
  }
  if (addresses.includes(o.ip!)) {
    active.finish('done', `${o.alias} resolves to ${o.ip}`);
    return true;
  }
  active.finish('failed', '');
  // The file is written; the machine still answers otherwise: a failure with what to look at.
  throw new UserError(
    `${o.path} now maps ${o.alias} to ${o.ip}, but ${o.alias} resolves to ${addresses.length ? addresses.join(', ') : 'nothing'} on this machine`,
    {
      hint: `a DNS cache (nscd, systemd-resolved, dnsmasq) or the resolver order (nsswitch.conf "hosts:") is in the way: flush the cache or put "files" first, then check with: getent hosts ${o.alias}`,
    },
  );
}

export async function hostsCommand(flags: HostsFlags, io: CommandIO, run?: Runner): Promise<number> {
  const interactive = isInteractive(flags.interactive);
  const o = await resolveHostsOptions(flags, { prompter: interactive ? io.prompter() : undefined, env: io.env });
  io.reporter.info(
    `kafka-setup hosts: ${o.remove ? `remove ${o.alias}` : `${o.alias} → ${o.ip}`} in ${o.path}${o.dryRun ? ' (dry run)' : ''}`,
  );
  const before = await readHostsFile(o.path);
  const ownName = aliasOfThisMachine(before, o.alias);
  // kafka-setup never edits a line that carries localhost or this machine's own names.
  if (ownName)
    throw new UsageError(
      `--alias: ${ownName}`,
      `choose another alias (e.g. my-kafka); if you put it on that line yourself, take it off by hand first; ${o.path} was not changed`,
    );
  const change = o.remove ? removeAlias(before, o.alias) : setAlias(before, o.alias, o.ip!);
  const title = `Update ${o.path}`;
  if (!change.changed) {
    io.reporter.step(title).finish('skipped', o.remove ? `${o.alias} is not in it` : `${o.ip} ${o.alias} is already there`);
    return o.dryRun || (await checkResolution(o, io)) ? 0 : 1;
  }
  io.reporter.lines([...change.removed.map((l) => `  - ${l}`), ...change.added.map((l) => `  + ${l}`)]);
  if (o.dryRun) {
    io.reporter.step(title).finish('planned', 'would write the change above; nothing was written');
    return 0;
  }
  if (o.interactive && !o.yes && !(await io.prompter().confirm(`Write this change to ${o.path}?`, true))) {
    io.reporter.step(title).finish('skipped', 'not written (you said no)');
    return 0;
  }
  const active = io.reporter.step(title);
  try {
    const w = await writeHostsFile(o.path, change.text, {
      expected: before,
      interactive: o.interactive,
      ...(run ? { run } : {}),
      // sudo may ask for a password on the terminal: the spinner must neither draw over it nor eat keystrokes.
      aroundSudo: (fn) => {
        active.pause();
        return fn().finally(() => active.resume());
      },
    });
    // Read back: what a reader sees now must be exactly what was meant.
    const after = await readHostsFile(o.path);
    const now = lookupAlias(after, o.alias);
    if (after !== change.text || (o.remove ? now.length > 0 : now.join() !== o.ip)) {
      throw new UserError(`${o.path} does not hold the expected content after writing`, {
        hint: 'another program may have changed it meanwhile; run the command again',
      });
    }
    const how = [
      w.elevated ? 'with sudo' : '',
      w.inPlace ? 'in place (replacing it by rename is impossible here, or would change its owner)' : '',
      w.path !== resolve(o.path) ? `written to ${w.path}, where the symlink points` : '',
      w.backup ? `backup: ${w.backup}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    active.finish(
      'done',
      `${o.remove ? `removed ${o.alias}` : change.removed.length ? `updated ${o.alias} to ${o.ip}` : `added ${o.ip} ${o.alias}`}${how ? ` (${how})` : ''}`,
    );
  } catch (err) {
    active.finish('failed', '');
    throw err;
  }
  if (o.system) await flushMacDnsCache(io);
  return (await checkResolution(o, io)) ? 0 : 1;
}
