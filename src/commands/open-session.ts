/**
 * The first two steps every host command shares: check the local key (offering to restrict its
 * permissions), then connect, asking about an unknown host key or taking --yes as consent.
 */
import { UserError } from '../errors.js';
import { inspectKey, type KeyFile, passphraseWorks, restrictKey } from '../local/key-file.js';
import type { ConnectionOptions } from '../options/init-options.js';
import { knownHostsName } from '../remote/known-hosts.js';
import { connect, type Session, type UnknownHost } from '../remote/session.js';
import { hashKnownHosts } from '../remote/ssh-config.js';
import type { CommandIO } from './io.js';

async function passphraseFor(key: KeyFile, o: ConnectionOptions, io: CommandIO): Promise<string | undefined> {
  if (!key.encrypted) return undefined;
  let pass: string | undefined;
  if (o.passphraseEnv) {
    pass = io.env[o.passphraseEnv];
    if (pass === undefined)
      throw new UserError(`--passphrase-env ${o.passphraseEnv}: that environment variable is not set`, {
        hint: `export ${o.passphraseEnv}=… before running kafka-setup`,
      });
  } else if (o.interactive) {
    pass = await io.prompter().secret(`Passphrase for ${key.path}`);
  } else {
    throw new UserError(`${key.path} is encrypted with a passphrase`, {
      hint: 'pass the name of an environment variable that holds it with --passphrase-env VAR (the passphrase itself never goes on the command line)',
    });
  }
  if (!passphraseWorks(key.data, pass)) throw new UserError(`the passphrase for ${key.path} is wrong`, { hint: 'check it and run again' });
  return pass;
}

/** Step 1: the key file. Never changes anything without consent (--yes or a yes at the prompt). */
async function checkKey(o: ConnectionOptions, io: CommandIO, dryRun: boolean): Promise<KeyFile> {
  const key = await inspectKey(o.keyPath);
  const title = 'Check the key file';
  if (!key.tooOpen) {
    io.reporter.step(title).finish('skipped', `${key.path} is a private key, mode ${key.mode.toString(8).padStart(4, '0')}`);
    return key;
  }
  const mode = key.mode.toString(8).padStart(4, '0');
  const why = `${key.path} has mode ${mode}: other users can read it, and OpenSSH refuses such keys ("UNPROTECTED PRIVATE KEY FILE")`;
  if (dryRun) {
    io.reporter.step(title).finish('planned', `would: chmod 400 ${key.path} (${why})`);
    return key;
  }
  const consent =
    o.yes || (o.interactive && (await io.prompter().confirm(`${why}.\n  Restrict it to mode 0400 (read-only, owner only)?`, true)));
  if (!consent) {
    io.reporter.step(title).finish('failed', '');
    throw new UserError(why, { hint: `run chmod 400 '${key.path}' (or run again with --yes to let kafka-setup do it)` });
  }
  await restrictKey(key.path);
  io.reporter.step(title).finish('done', `${key.path} restricted to mode 0400 (it was ${mode})`);
  return key;
}

export async function openSession(o: ConnectionOptions, io: CommandIO, opts: { dryRun: boolean }): Promise<Session> {
  const key = await checkKey(o, io, opts.dryRun);
  const passphrase = await passphraseFor(key, o, io);
  const active = io.reporter.step(`Connect to ${o.user}@${o.host}:${o.port}`);
  let hostKeyNote = 'host key matches known_hosts';
  const trustUnknownHost = async (h: UnknownHost): Promise<boolean> => {
    const what = `${h.keyType} key fingerprint is ${h.fingerprint}`;
    // Known by another key type and now offering this one: what a man in the middle looks like (or a
    // rebuilt server). --yes consents to new hosts, not to this: a person must look at it.
    if (h.knownTypes.length > 0 && !o.interactive) {
      throw new UserError(
        `${o.host}:${o.port} is known in ${o.knownHostsPath} by its ${h.knownTypes.join(', ')} key, but now offers another: ${h.keyType} ${h.fingerprint}`,
        {
          hint:
            "check the fingerprint against the instance's console log (EC2: Actions → Monitor → Get system log); if it is right, run again in a terminal and answer yes, " +
            `or remove the old entry with: ssh-keygen -R '${knownHostsName(o.host, o.port)}' -f '${o.knownHostsPath}' and run again with --yes`,
        },
      );
    }
    if (o.yes && h.knownTypes.length === 0) {
      hostKeyNote = `new host key accepted (--yes): ${h.fingerprint}`;
      return true;
    }
    if (!o.interactive) {
      throw new UserError(`${o.host}:${o.port} is not in ${o.knownHostsPath} (${what})`, {
        hint: 'run again with --yes to accept and record it (like ssh -o StrictHostKeyChecking=accept-new), or in a terminal to be asked',
      });
    }
    active.pause();
    const ok = await io
      .prompter()
      .confirm(
        `The authenticity of host ${o.host}:${o.port} can't be established.\n  ${what}${h.knownTypes.length ? ` (it is known with another key type: ${h.knownTypes.join(', ')})` : ''}.\n  Trust it and continue connecting?`,
        false,
      )
      .finally(() => active.resume());
    if (ok) hostKeyNote = `new host key accepted: ${h.fingerprint}`;
    return ok;
  };
  try {
    const session = await connect({
      host: o.host,
      port: o.port,
      user: o.user,
      privateKey: key.data,
      passphrase,
      knownHostsPath: o.knownHostsPath,
      trustUnknownHost,
      recordAcceptedKey: !opts.dryRun,
      hashKnownHosts: hashKnownHosts(o.host),
      timeoutMs: o.timeoutMs,
      signal: io.signal,
      log: (line) => io.reporter.verbose(line),
      debug: io.debug,
    });
    active.finish('done', hostKeyNote + (opts.dryRun && hostKeyNote.startsWith('new') ? ' (not recorded: dry run)' : ''));
    return session;
  } catch (err) {
    active.finish('failed', '');
    throw err;
  }
}
