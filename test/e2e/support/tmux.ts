/**
 * A real terminal for prompts: a private tmux server (its own socket, in a directory of its own, removed
 * with it: tmux leaves /tmp/tmux-UID behind otherwise), driven with send-keys.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';

const socketName = (): string => `ks-e2e-${randomBytes(4).toString('hex')}`;

export class Terminal {
  private socket = socketName();
  private started = false;
  /** TMUX_TMPDIR of this terminal's server. */
  private dir = '';

  private tmux(args: string[], o: { reject?: boolean } = {}) {
    return execa('tmux', ['-L', this.socket, ...args], { ...o, env: { TMUX_TMPDIR: this.dir } });
  }

  /**
   * Starts `command` (a shell command line) in an 200×50 terminal. A terminal started before is closed
   * first, and the new one gets a socket of its own: a client that reached a server still exiting on
   * the old socket would fail with "server exited unexpectedly".
   */
  async start(command: string): Promise<void> {
    if (this.started) await this.close();
    this.socket = socketName();
    this.dir = mkdtempSync(join(tmpdir(), 'ks-tmux-'));
    this.started = true;
    // A user's terminal, not the CI job's: under CI the tool rightly keeps to a plain log.
    const { CI: _ci, TMUX_TMPDIR: _dir, ...env } = process.env;
    await execa(
      'tmux',
      ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-x', '200', '-y', '50', `${command}; echo "EXIT=$?"; sleep 600`],
      { env: { ...env, TMUX_TMPDIR: this.dir }, extendEnv: false },
    );
  }

  async screen(): Promise<string> {
    return (await this.tmux(['capture-pane', '-p', '-J', '-S', '-200'])).stdout;
  }

  /** Waits until the screen matches, returning it. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.screen();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on the terminal:\n${text}`);
      await sleep(150);
    }
  }

  async type(text: string): Promise<void> {
    if (text !== '') await this.tmux(['send-keys', '-l', text]);
    await this.tmux(['send-keys', 'Enter']);
  }

  /** Sends a key such as C-c (tmux key names). */
  async key(name: string): Promise<void> {
    await this.tmux(['send-keys', name]);
  }

  /** Stops its server, waits until it is gone, and removes its socket's directory (tmux leaves it behind). */
  async close(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.tmux(['kill-server'], { reject: false });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await this.tmux(['list-sessions'], { reject: false })).exitCode === 0) await sleep(50);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
