/** A real terminal for prompts: a private tmux server (its own socket), driven with send-keys. */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';

const socketName = (): string => `ks-e2e-${randomBytes(4).toString('hex')}`;

export class Terminal {
  private socket = socketName();
  private started = false;

  /**
   * Starts `command` (a shell command line) in an 200×50 terminal. A terminal started before is closed
   * first, and the new one gets a socket of its own: a client that reached a server still exiting on
   * the old socket would fail with "server exited unexpectedly".
   */
  async start(command: string): Promise<void> {
    if (this.started) await this.close();
    this.socket = socketName();
    this.started = true;
    // A user's terminal, not the CI job's: under CI the tool rightly keeps to a plain log.
    const { CI: _ci, ...env } = process.env;
    await execa(
      'tmux',
      ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-x', '200', '-y', '50', `${command}; echo "EXIT=$?"; sleep 600`],
      { env, extendEnv: false },
    );
  }

  async screen(): Promise<string> {
    return (await execa('tmux', ['-L', this.socket, 'capture-pane', '-p', '-J', '-S', '-200'])).stdout;
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
    if (text !== '') await execa('tmux', ['-L', this.socket, 'send-keys', '-l', text]);
    await execa('tmux', ['-L', this.socket, 'send-keys', 'Enter']);
  }

  /** Sends a key such as C-c (tmux key names). */
  async key(name: string): Promise<void> {
    await execa('tmux', ['-L', this.socket, 'send-keys', name]);
  }

  /** Stops its server, waits until it is gone, and removes its socket (tmux leaves it behind). */
  async close(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await execa('tmux', ['-L', this.socket, 'kill-server'], { reject: false });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await execa('tmux', ['-L', this.socket, 'list-sessions'], { reject: false })).exitCode === 0)
      await sleep(50);
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }
}
