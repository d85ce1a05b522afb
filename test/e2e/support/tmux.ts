/** A real terminal for prompts: a private tmux server (its own socket), driven with send-keys. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';

export class Terminal {
  private readonly socket = `ks-e2e-${randomBytes(4).toString('hex')}`;

  /** Starts `command` (a shell command line) in an 200×50 terminal. */
  async start(command: string): Promise<void> {
    await execa('tmux', [
      '-L',
      this.socket,
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-x',
      '200',
      '-y',
      '50',
      `${command}; echo "EXIT=$?"; sleep 600`,
    ]);
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

  async close(): Promise<void> {
    await execa('tmux', ['-L', this.socket, 'kill-server'], { reject: false });
  }
}
