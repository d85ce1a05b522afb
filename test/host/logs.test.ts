/**
 * RemoteHost.logs with its real script (logs.sh) run by the local dash, as sshd would run it (`sh -s`,
 * the script on stdin, stdin held open like the SSH channel): what is there, the last lines, lines
 * the host cuts, and following — a line written afterwards arrives at once, and closing stdin (what
 * a Ctrl-C or a dropped connection does to the channel) stops every process the script started.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { LogFile, LogLine } from '../../src/host/operations.js';
import { RemoteHost } from '../../src/host/remote-host.js';
import { BROKER, EVERY_KIND as DAEMONS, ZOOKEEPER } from '../../src/kafka/daemons.js';
import { parseSections, type RemoteScript } from '../../src/remote/script.js';
import { type RunOptions, type RunResult, type Session, sectionStreamer } from '../../src/remote/session.js';
import { scratchDir } from '../support/scratch.js';

/** A Session whose host is this machine: `sh -s` in a scratch HOME; `hangUp()` closes its stdin. */
class LocalSession implements Session {
  readonly host = 'local';
  readonly stats = { connections: 1, commands: 0 };
  private hangUps: Array<() => void> = [];
  constructor(private readonly home: string) {}

  run(script: RemoteScript, opts: RunOptions = {}): Promise<RunResult> {
    this.stats.commands++;
    const child = spawn('sh', ['-s'], { env: { PATH: process.env.PATH ?? '', HOME: this.home }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.hangUps.push(() => child.stdin.end());
    const dec = new StringDecoder('utf8');
    const streamer = opts.stream ? sectionStreamer(script.mark, opts.stream) : undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (streamer) streamer.write(dec.write(d));
      else stdout += dec.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin.write(script.text);
    return new Promise((resolve) =>
      child.on('close', (code) => {
        if (streamer) {
          streamer.write(dec.end());
          stdout = streamer.end();
        }
        resolve({ code: code ?? -1, stdout, stderr, sections: parseSections(stdout, script.mark), durationMs: 0 });
      }),
    );
  }

  hangUp(): void {
    for (const h of this.hangUps) h();
  }

  close(): void {}
}

function setup(): { home: string; logs: string; host: RemoteHost; session: LocalSession } {
  const home = scratchDir('ks-logs-');
  const logs = join(home, 'kafka_2.12-3.1.0', 'logs');
  mkdirSync(logs, { recursive: true });
  const session = new LocalSession(home);
  return {
    home,
    logs,
    session,
    host: new RemoteHost(session, { options: { installDir: '~/kafka_2.12-3.1.0' }, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' } }),
  };
}

describe('logs on the host (logs.sh under dash)', () => {
  it('the last N lines of each log, in order, one line per line whatever it holds; a long one cut by the host', async () => {
    const { logs, host } = setup();
    writeFileSync(join(logs, 'zookeeper.out'), 'z1\nz2\nz3\n');
    writeFileSync(
      join(logs, 'kafkaServer.out'),
      Buffer.concat([
        Buffer.from('b1\n\nkind=x line=y \u001b[31m\tred\r\n'),
        Buffer.from([0xff, 0xfe, 0x0a]),
        Buffer.from(`${'é'.repeat(2500)}\nlast without newline`),
      ]),
    );
    const lines: LogLine[] = [];
    let announced: LogFile[] | undefined;
    const files = await host.logs({
      daemons: DAEMONS,
      lines: 5,
      follow: false,
      onFiles: (f) => {
        expect(lines).toEqual([]);
        announced = f;
      },
      onLine: (l) => lines.push(l),
    });
    expect(announced).toEqual(files);
    expect(files.map((f) => [f.daemon.kind, f.state, f.path.endsWith(`/kafka_2.12-3.1.0/logs/${f.daemon.out}`)])).toEqual([
      ['zookeeper', 'ok', true],
      ['broker', 'ok', true],
    ]);
    expect(lines.map((l) => [l.daemon.kind, l.text, l.cut])).toEqual([
      ['zookeeper', 'z1', false],
      ['zookeeper', 'z2', false],
      ['zookeeper', 'z3', false],
      ['broker', '', false],
      ['broker', 'kind=x line=y \u001b[31m\tred', false],
      ['broker', '\ufffd\ufffd', false],
      // 4000 bytes: 2000 two-byte characters.
      ['broker', 'é'.repeat(2000), true],
      ['broker', 'last without newline', false],
    ]);
  });

  it('says which logs are missing, or that the install is, and tails none of them', async () => {
    const { home, logs, host } = setup();
    writeFileSync(join(logs, 'zookeeper.out'), 'z\n');
    const lines: LogLine[] = [];
    const files = await host.logs({
      daemons: [BROKER, ZOOKEEPER],
      lines: 50,
      follow: false,
      onFiles: () => {},
      onLine: (l) => lines.push(l),
    });
    expect(files.map((f) => [f.daemon.kind, f.state])).toEqual([
      ['broker', 'missing'],
      ['zookeeper', 'ok'],
    ]);
    expect(lines.map((l) => l.text)).toEqual(['z']);

    const elsewhere = new RemoteHost(new LocalSession(home), {
      options: { installDir: '~/nowhere' },
      dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' },
    });
    const none = await elsewhere.logs({ daemons: [BROKER], lines: 50, follow: false, onFiles: () => {}, onLine: (l) => lines.push(l) });
    expect(none).toEqual([{ daemon: BROKER, path: join(home, 'nowhere/logs/kafkaServer.out'), state: 'no_install' }]);
  });

  it('follow: a line written afterwards arrives at once (tagged by log); stdin closing stops every process it started', async () => {
    const { logs, host, session } = setup();
    writeFileSync(join(logs, 'zookeeper.out'), 'z-old\n');
    writeFileSync(join(logs, 'kafkaServer.out'), 'b-old\n');
    const lines: string[] = [];
    const done = host.logs({
      daemons: DAEMONS,
      lines: 1,
      follow: true,
      onFiles: () => {},
      onLine: (l) => lines.push(`${l.daemon.kind}:${l.text}`),
    });
    const until = async (what: () => boolean): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (!what() && Date.now() < deadline) await sleep(20);
      expect(what(), lines.join('\n')).toBe(true);
    };
    await until(() => lines.length === 2);
    expect(lines.sort()).toEqual(['broker:b-old', 'zookeeper:z-old']);
    appendFileSync(join(logs, 'kafkaServer.out'), 'b-new\n');
    await until(() => lines.includes('broker:b-new'));
    // Both logs busy at once, with lines near the 4000-byte cut: each line still arrives whole.
    lines.length = 0;
    for (let i = 0; i < 100; i++) {
      appendFileSync(join(logs, 'kafkaServer.out'), `${'b'.repeat(3990)}${i}\n`);
      appendFileSync(join(logs, 'zookeeper.out'), `${'z'.repeat(3990)}${i}\n`);
    }
    await until(() => lines.length >= 200);
    expect(lines.filter((l) => !/^(broker:b{3990}|zookeeper:z{3990})[0-9]+$/.test(l))).toEqual([]);
    const started = Date.now();
    session.hangUp();
    // The run ends only when nothing holds its stdout any more: no tail, no awk.
    await done;
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
