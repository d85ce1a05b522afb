/**
 * Where the hosts of a cluster init wait for each other: a meeting point (everyone arrives, or one
 * failure stops all who wait) and a turn (one restart at a time).
 */
import { UserError } from '../errors.js';

/** A meeting point of N hosts: resolves once all arrived, rejects for everyone once one failed. */
export class Meeting<T> {
  private readonly values: Array<T | undefined>;
  private arrived = 0;
  private settled = false;
  private readonly done: Promise<T[]>;
  private resolve!: (v: T[]) => void;
  private reject!: (e: Error) => void;

  constructor(
    size: number,
    private readonly what: string,
  ) {
    this.values = Array.from({ length: size }, () => undefined);
    this.done = new Promise<T[]>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    // Nobody may be waiting when it fails (a single host's run failing first): not an unhandled rejection.
    this.done.catch(() => {});
  }

  arrive(index: number, value: T): Promise<T[]> {
    if (this.values[index] === undefined) {
      this.values[index] = value;
      this.arrived += 1;
      if (this.arrived === this.values.length && !this.settled) {
        this.settled = true;
        this.resolve(this.values as T[]);
      }
    }
    return this.done;
  }

  wait(): Promise<T[]> {
    return this.done;
  }

  /** One host failed: the others stop where they would wait for it. */
  fail(label: string): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(
      new UserError(`stopped before ${this.what}: ${label} failed (its error is above)`, {
        hint: `fix ${label} and run the same command again: what is done on every host is kept`,
      }),
    );
  }
}

/**
 * One at a time: a JVM that runs and must restart (its config changed: a host joined the cluster)
 * waits for its turn, and gives it up once the cluster is whole again, so a change never takes the
 * cluster down; so does a node that takes its vote in the quorum (one change of voters at a time).
 * After a failure nobody gets a turn: the cluster is not touched further.
 */
export class Turn {
  private last: Promise<void> = Promise.resolve();
  private failure: UserError | undefined;

  async take(): Promise<() => void> {
    const before = this.last;
    let release!: () => void;
    this.last = new Promise<void>((r) => {
      release = r;
    });
    await before;
    if (this.failure) {
      release();
      throw this.failure;
    }
    return release;
  }

  fail(label: string): void {
    this.failure ??= new UserError(
      `stopped before its turn: ${label} failed (its error is above), so no other host was restarted or changed the quorum's voters`,
      {
        hint: `fix ${label} and run the same command again: the restarts and votes that are still due happen then, one host at a time`,
      },
    );
  }
}
