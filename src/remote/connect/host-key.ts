/**
 * Host-key trust for the handshake: ssh2 accepts any key unless told otherwise, so every key goes
 * through known_hosts first. A known key is accepted, a changed or revoked one refused, an unknown
 * one put to the caller (a prompt, or --yes) and, once accepted, recorded (trust on first use).
 *
 * Deciding and recording are two moments. ssh2 calls hostVerifier as soon as the server's KEX reply
 * arrives, before it checks the signature in that reply (lib/protocol/kex.js: the KEXDH_REPLY case
 * calls _hostVerifier; the signature over the exchange hash is verified later, in finish(), once
 * NEWKEYS arrives). Anyone can present a copy of a public key, so the key is recorded only when the
 * handshake completes (`proven`, on ssh2's 'handshake' event): only then has the server shown it
 * holds the private key.
 */
import { InterruptedError, UserError } from '../../errors.js';
import {
  checkHostKey,
  fingerprint,
  hostKeyAlgorithms,
  KnownHostsFileError,
  keyType,
  knownHostsName,
  knownKeyTypes,
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

export type HostKeyDecision = { kind: 'accept' } | { kind: 'ask'; question: UnknownHost } | { kind: 'refuse'; error: UserError };

/** What to do with the key a host offers, from the known_hosts text alone (no I/O). */
export function decideHostKey(known: string, at: HostKeyPlace, key: Buffer): HostKeyDecision {
  const status = checkHostKey(known, at.host, at.port, key);
  const fp = fingerprint(key);
  const name = knownHostsName(at.host, at.port);
  switch (status.kind) {
    case 'known':
      return { kind: 'accept' };
    case 'unknown':
      return {
        kind: 'ask',
        question: { host: at.host, port: at.port, keyType: keyType(key), fingerprint: fp, knownTypes: status.knownTypes },
      };
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
  return new UserError(
    `cannot use the known_hosts file ${err.reason === 'permission denied' ? `${err.path} (permission denied)` : `${err.path}: ${err.reason}`}`,
    {
      hint: 'pass --known-hosts with the path of a file (it is created if missing), e.g. --known-hosts ~/.ssh/known_hosts',
    },
  );
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

/**
 * ssh2's error when the server's signature over the exchange hash does not verify with the host key
 * it presented: whoever answered does not hold that key's private half.
 */
export function signatureRefused(err: Error, at: { host: string; port: number }): UserError | undefined {
  if (!/signature verification failed/i.test(err.message)) return undefined;
  return new UserError(
    `${at.host}:${at.port} presented a host key it could not prove to hold (its signature does not verify); nothing was recorded`,
    {
      hint: 'this is what an intercepted connection looks like (or a broken SSH server): check the network path to the host before trusting it',
    },
  );
}

/** The handshake's clock: it stops while the user reads the question. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/**
 * ssh2's `hostVerifier` plus what it found: `refusal` is the reason a key was refused, which the
 * handshake reports instead of ssh2's bare "verification failed". `proven` is to be called once the
 * handshake completes: it records the key the user accepted, and from then on the connection's
 * later key exchanges (rekeying) must present that same key.
 */
export class HostKeyCheck {
  refusal: Error | undefined;
  /** Algorithms to offer, those of already-known key types first (as OpenSSH does). */
  readonly algorithms: string[];
  /** The key hostVerifier accepted, not yet proven; `fingerprint` is set when it was newly trusted. */
  private accepted: { key: Buffer; fingerprint?: string } | undefined;
  /** The key the first key exchange proved. */
  private proved: Buffer | undefined;

  constructor(
    private readonly known: string,
    private readonly policy: HostKeyPolicy,
    private readonly clock: Pausable,
  ) {
    this.algorithms = hostKeyAlgorithms(knownKeyTypes(known, policy.host, policy.port));
  }

  readonly verify = (key: Buffer, done: (ok: boolean) => void): void => {
    if (this.proved) {
      done(this.sameAsProved(key));
      return;
    }
    const decision = decideHostKey(this.known, this.policy, key);
    if (decision.kind === 'accept') {
      this.accepted = { key };
      done(true);
      return;
    }
    if (decision.kind === 'refuse') {
      this.refusal = decision.error;
      done(false);
      return;
    }
    this.clock.pause();
    this.ask(decision.question).then(
      () => {
        this.clock.resume();
        this.accepted = { key, fingerprint: decision.question.fingerprint };
        done(true);
      },
      (err: unknown) => {
        this.clock.resume();
        this.refusal = askFailure(err);
        done(false);
      },
    );
  };

  /**
   * The handshake completed with the accepted key (its signature verified): a newly trusted key is
   * recorded now (unless --dry-run), and not before. Rejects with the error the user sees.
   */
  async proven(): Promise<void> {
    const accepted = this.accepted;
    if (!accepted || this.proved) return;
    this.proved = accepted.key;
    if (accepted.fingerprint === undefined) return;
    const p = this.policy;
    try {
      if (p.recordAcceptedKey) await recordHostKey(p.knownHostsPath, p.host, p.port, accepted.key, { hash: p.hashKnownHosts === true });
    } catch (err) {
      throw askFailure(err);
    }
    p.log?.(
      `host key ${accepted.fingerprint} ${p.recordAcceptedKey ? 'recorded in' : 'accepted for this run, not written to'} ${p.knownHostsPath}`,
    );
  }

  private sameAsProved(key: Buffer): boolean {
    if (this.proved?.equals(key)) return true;
    const name = knownHostsName(this.policy.host, this.policy.port);
    this.refusal = new UserError(`${name} presented another host key (${fingerprint(key)}) when the connection renewed its keys`, {
      hint: 'a server keeps its host key for the whole connection: this one changing midway is what an intercepted connection looks like',
    });
    return false;
  }

  private async ask(question: UnknownHost): Promise<void> {
    const p = this.policy;
    if (!(await p.trustUnknownHost(question))) {
      throw new UserError(`the host key of ${knownHostsName(p.host, p.port)} (${question.fingerprint}) was not accepted`, {
        hint: `compare it with the fingerprint the instance prints at first boot (EC2: Actions → Monitor → Get system log), then run again with --yes or answer yes`,
      });
    }
  }
}
