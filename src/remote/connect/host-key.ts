/**
 * Host-key trust for the handshake: ssh2 accepts any key unless told otherwise, so every key goes
 * through known_hosts first. A known key is accepted, a changed or revoked one refused, an unknown
 * one put to the caller (a prompt, or --yes) and, once accepted, recorded (trust on first use).
 */
import { InterruptedError, UserError } from '../../errors.js';
import {
  checkHostKey,
  fingerprint,
  hostKeyAlgorithms,
  keyType,
  knownHostsName,
  knownKeyTypes,
  KnownHostsFileError,
  readKnownHosts,
  recordHostKey,
} from '../known-hosts.js';

export interface UnknownHost {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** Key types already recorded for this host (a different type was offered). */
  knownTypes: string[];
}

/** Where the host's keys are looked up, and under what name. */
export interface HostKeyPlace {
  host: string;
  port: number;
  knownHostsPath: string;
}

export interface HostKeyPolicy extends HostKeyPlace {
  /** Decides about a host not in known_hosts (a prompt, or --yes). */
  trustUnknownHost: (info: UnknownHost) => Promise<boolean>;
  /** Whether an accepted host key is written to known_hosts (not in --dry-run). */
  recordAcceptedKey: boolean;
  /** Record it hashed (the user's ssh_config says HashKnownHosts yes). */
  hashKnownHosts?: boolean | undefined;
  log?: ((line: string) => void) | undefined;
}

export type HostKeyDecision =
  | { kind: 'accept' }
  | { kind: 'ask'; question: UnknownHost }
  | { kind: 'refuse'; error: UserError };

/** What to do with the key a host offers, from the known_hosts text alone (no I/O). */
export function decideHostKey(known: string, at: HostKeyPlace, key: Buffer): HostKeyDecision {
  const status = checkHostKey(known, at.host, at.port, key);
  const fp = fingerprint(key);
  const name = knownHostsName(at.host, at.port);
  switch (status.kind) {
    case 'known':
      return { kind: 'accept' };
    case 'unknown':
      return { kind: 'ask', question: { host: at.host, port: at.port, keyType: keyType(key), fingerprint: fp, knownTypes: status.knownTypes } };
    case 'changed':
      return {
        kind: 'refuse',
        error: new UserError(
          `the host key of ${name} has CHANGED: it is now ${fp}, but ${at.knownHostsPath} (line ${status.lines.join(', ')}) has ${status.knownFingerprints.join(', ')}`,
          {
            hint: `this happens when an instance is replaced at the same address, or when someone intercepts the connection. If you know why it changed, remove the old entry with: ssh-keygen -R '${name}' -f '${at.knownHostsPath}', then run again`,
          },
        ),
      };
    case 'revoked':
      return {
        kind: 'refuse',
        error: new UserError(`the host key of ${name} (${fp}) is marked @revoked in ${at.knownHostsPath}`, {
          hint: 'kafka-setup will not connect to a host whose key is revoked',
        }),
      };
  }
}

export function knownHostsUnusable(err: KnownHostsFileError): UserError {
  return new UserError(`cannot use the known_hosts file ${err.reason === 'permission denied' ? `${err.path} (permission denied)` : `${err.path}: ${err.reason}`}`, {
    hint: 'pass --known-hosts with the path of a file (it is created if missing), e.g. --known-hosts ~/.ssh/known_hosts',
  });
}

/** The known_hosts text, or a UserError saying why the file cannot be used (a missing file is empty). */
export async function loadKnownHosts(path: string): Promise<string> {
  try {
    return await readKnownHosts(path);
  } catch (err) {
    throw err instanceof KnownHostsFileError ? knownHostsUnusable(err) : err;
  }
}

/** Why asking about or recording an unknown key failed, as the error the user sees. */
export function askFailure(err: unknown): Error {
  // Ctrl-C or Esc at the question is an interruption (exit 130), not a refused connection.
  if (err instanceof UserError || err instanceof InterruptedError) return err;
  if (err instanceof KnownHostsFileError) return knownHostsUnusable(err);
  return new UserError(`could not record the host key: ${(err as Error).message}`);
}

/** The handshake's clock: it stops while the user reads the question. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/**
 * ssh2's `hostVerifier` plus what it found: `refusal` is the reason a key was refused, which the
 * handshake reports instead of ssh2's bare "verification failed".
 */
export class HostKeyCheck {
  refusal: Error | undefined;
  /** Algorithms to offer, those of already-known key types first (as OpenSSH does). */
  readonly algorithms: string[];

  constructor(
    private readonly known: string,
    private readonly policy: HostKeyPolicy,
    private readonly clock: Pausable,
  ) {
    this.algorithms = hostKeyAlgorithms(knownKeyTypes(known, policy.host, policy.port));
  }

  readonly verify = (key: Buffer, done: (ok: boolean) => void): void => {
    const decision = decideHostKey(this.known, this.policy, key);
    if (decision.kind === 'accept') return done(true);
    if (decision.kind === 'refuse') {
      this.refusal = decision.error;
      return done(false);
    }
    this.clock.pause();
    this.trust(decision.question, key).then(
      () => {
        this.clock.resume();
        done(true);
      },
      (err: unknown) => {
        this.clock.resume();
        this.refusal = askFailure(err);
        done(false);
      },
    );
  };

  private async trust(question: UnknownHost, key: Buffer): Promise<void> {
    const p = this.policy;
    if (!(await p.trustUnknownHost(question))) {
      throw new UserError(`the host key of ${knownHostsName(p.host, p.port)} (${question.fingerprint}) was not accepted`, {
        hint: `compare it with the fingerprint the instance prints at first boot (EC2: Actions → Monitor → Get system log), then run again with --yes or answer yes`,
      });
    }
    if (p.recordAcceptedKey) await recordHostKey(p.knownHostsPath, p.host, p.port, key, { hash: p.hashKnownHosts === true });
    p.log?.(`host key ${question.fingerprint} ${p.recordAcceptedKey ? 'recorded in' : 'accepted for this run, not written to'} ${p.knownHostsPath}`);
  }
}
