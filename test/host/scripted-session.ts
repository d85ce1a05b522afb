/** A Session that answers each script with canned output: the real operations' parsing, without a host. */
import { PLAIN_MARK, parseSections, type RemoteScript } from '../../src/remote/script.js';
import type { RunResult, Session } from '../../src/remote/session.js';

export class ScriptedSession implements Session {
  readonly host = 'scripted';
  readonly stats = { connections: 1, commands: 0 };
  readonly ran: RemoteScript[] = [];

  /** `answers`: script name → what it prints, in PLAIN_MARK sections. */
  constructor(private readonly answers: Record<string, string>) {}

  close(): void {}

  async run(script: RemoteScript): Promise<RunResult> {
    this.stats.commands++;
    this.ran.push(script);
    const stdout = this.answers[script.name];
    if (stdout === undefined) throw new Error(`scripted session: no answer for ${script.name}`);
    return { code: 0, stdout, stderr: '', sections: parseSections(stdout, PLAIN_MARK), durationMs: 1 };
  }
}
