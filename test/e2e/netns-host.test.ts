/** The network-namespace target hosts themselves: their own address, firewall and ports, and a clean stop. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeE2e, e2e } from './support/context.js';
import { alive, killPids, runAsUser, sshClientArgs } from './support/host.js';
import {
  allowOwnTraffic,
  BRIDGE,
  closePort,
  inNetns,
  type NetnsHost,
  netnsHostFlags,
  netnsPids,
  netnsUnavailable,
  openPort,
  probeTcp,
  rejectOwnTraffic,
  relayFromBridge,
  removeLeftovers,
  startNetnsHost,
  stopNetnsHost,
} from './support/netns-host.js';

const RECORDS = '/run/kafka-setup-e2e-netns';
// Where the e2e suite runs but namespaces cannot (an unprivileged container): skipped loudly.
const unavailable = await netnsUnavailable();

async function exists(kind: 'netns' | 'link' | 'user', name: string): Promise<boolean> {
  const args = { netns: ['ip', 'netns', 'pids', name], link: ['ip', 'link', 'show', 'dev', name], user: ['getent', 'passwd', name] }[kind];
  return (await execa(args[0] ?? '', args.slice(1), { reject: false, stdin: 'ignore' })).exitCode === 0;
}

/** A TCP server on 0.0.0.0:port inside the namespace (this same node), answering "hello from NS". */
async function listenIn(host: NetnsHost, port: number): Promise<ChildProcess> {
  const script = `require('node:net').createServer((s) => { s.on('error', () => {}); s.end('hello from ${host.netns}\\n'); }).listen(${port}, '0.0.0.0', () => console.log('up'));`;
  const child = spawn('ip', ['netns', 'exec', host.netns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`listener in ${host.netns} exited (${code})`)));
  });
  return child;
}

async function readFrom(address: string, port: number): Promise<string> {
  const r = await execa('bash', ['-c', `exec 3<>/dev/tcp/${address}/${port} && timeout 5 cat <&3`], { reject: false, stdin: 'ignore' });
  return r.stdout;
}

(unavailable ? describe.skip : describeE2e)('network-namespace target hosts', () => {
  let a: NetnsHost;
  let b: NetnsHost;
  let stoppedAddress = '';
  const listeners: ChildProcess[] = [];

  beforeAll(async () => {
    const t0 = Date.now();
    // Two at once: each claims its own address, and they share the bridge. A host that did start is
    // kept for afterAll even when the other failed.
    const started = await Promise.allSettled([startNetnsHost(), startNetnsHost()]);
    [a, b] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined)) as [NetnsHost, NetnsHost];
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    process.stderr.write(`netns hosts ${a.address} and ${b.address} started in ${Date.now() - t0} ms\n`);
    listeners.push(await listenIn(a, 9092), await listenIn(b, 9092));
  });

  afterAll(async () => {
    await killPids(
      listeners.map((l) => l.pid ?? 0).filter((pid) => pid > 0),
      5000,
    );
    for (const host of [a, b]) if (host) await stopNetnsHost(host);
  });

  it('has its own address in its own namespace, sshd on ADDRESS:22, and the EC2-like user with sudo', async () => {
    expect(a.address).toMatch(/^10\.213\.0\.\d+$/);
    expect(b.address).not.toBe(a.address);
    expect([a.netns, a.sshPort]).toEqual([expect.stringMatching(/^ks-[a-z0-9]{6}$/), 22]);
    const r = await execa('ssh', [...sshClientArgs(a), 'id -un; sudo -n id -u; ip -4 -o addr show dev eth0'], { stdin: 'ignore' });
    const [user, root, addr] = r.stdout.split('\n');
    expect([user, root]).toEqual([a.user, '0']);
    expect(addr).toContain(` ${a.address}/24 `);
    expect(readFileSync(a.sshdLog, 'utf8')).toContain(`Starting session: command for ${a.user} from 10.213.0.1`);
    expect(await netnsPids(a)).toContain(a.sshdPid);

    const scan = await execa('ssh-keyscan', ['-p', '22', a.address], { stdin: 'ignore' });
    const prints = await execa('ssh-keygen', ['-lf', '-'], { input: scan.stdout });
    expect(
      prints.stdout
        .split('\n')
        .map((l) => l.split(' ')[1])
        .sort(),
    ).toEqual([...a.hostKeyFingerprints].sort());
    expect(netnsHostFlags(a, '/kh')).toEqual([
      '--host',
      a.address,
      '--port',
      '22',
      '--user',
      a.user,
      '--key',
      a.keyPath,
      '--known-hosts',
      '/kh',
    ]);
  });

  it("a host started with another host's key accepts that key, and only it (one key pair for a cluster)", async () => {
    const d = await startNetnsHost({ key: a });
    try {
      expect([d.keyPath, d.publicKey]).toEqual([a.keyPath, a.publicKey]);
      expect(d.user).not.toBe(a.user);
      const r = await execa('ssh', [...sshClientArgs(d), 'id -un; cat ~/.ssh/authorized_keys; ls ~/.ssh'], { stdin: 'ignore' });
      expect(r.stdout.split('\n')).toEqual([d.user, a.publicKey, 'authorized_keys']);
      // No key of its own was left behind in its work dir.
      expect(existsSync(join(d.workDir, 'kafka-server-key.pem'))).toBe(false);
    } finally {
      await stopNetnsHost(d);
    }
    // The shared key is its owner's: still there, and still logs in to the owner.
    expect(existsSync(a.keyPath)).toBe(true);
    expect((await execa('ssh', [...sshClientArgs(a), 'echo ok'], { stdin: 'ignore' })).stdout).toBe('ok');
  });

  it("runs the user's commands (runAsUser) inside the namespace", async () => {
    const r = await runAsUser(a, 'ip -4 -o addr show dev eth0');
    expect(r.stdout).toContain(` ${a.address}/24 `);
  });

  it("a name lookup fails at once (this machine's resolver is out of reach), over ssh too: no 10 s wait per reverse lookup", async () => {
    const t0 = Date.now();
    const r = await execa('ssh', [...sshClientArgs(a), `getent hosts ${b.address}; echo "rc=$?"; cat /etc/resolv.conf`], {
      stdin: 'ignore',
    });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.stdout).toContain('rc=2');
    expect(r.stdout).toContain('nameserver 127.0.0.1');
    expect(existsSync(`/etc/netns/${a.netns}/resolv.conf`)).toBe(true);
  });

  it('binds 9092 in each namespace without clashing, reachable from this machine and from the other host', async () => {
    expect(await readFrom(a.address, 9092)).toBe(`hello from ${a.netns}`);
    expect(await readFrom(b.address, 9092)).toBe(`hello from ${b.netns}`);
    expect(await probeTcp(b.address, 9092, { from: a })).toBe('open');
  });

  it('rejectOwnTraffic: the host cannot reach its own address on the port, but 127.0.0.1 and everyone else can', async () => {
    expect(await probeTcp(a.address, 9092, { from: a })).toBe('open');
    await rejectOwnTraffic(a, 9092);
    await rejectOwnTraffic(a, 9092); // idempotent: one rule
    try {
      expect(await probeTcp(a.address, 9092, { from: a })).toBe('refused');
      expect(await probeTcp('127.0.0.1', 9092, { from: a })).toBe('open');
      expect(await probeTcp(a.address, 22, { from: a })).toBe('open');
      expect(await probeTcp(a.address, 9092)).toBe('open');
      expect(await probeTcp(a.address, 9092, { from: b })).toBe('open');
      // The rule is the namespace's alone.
      const rules = await inNetns(a, ['iptables', '-S', 'OUTPUT']);
      expect(rules.split('\n').filter((l) => l.includes('--dport 9092'))).toEqual([
        `-A OUTPUT -d ${a.address}/32 -p tcp -m tcp --dport 9092 -j REJECT --reject-with icmp-port-unreachable`,
      ]);
      // (A VM of the vm project, beside this file, may have its own NAT rules here: not a's.)
      expect((await execa('iptables', ['-S'], { stdin: 'ignore' })).stdout).not.toContain(`${a.address}/32`);
      expect(await inNetns(b, ['iptables', '-S'])).not.toContain('--dport 9092');

      await allowOwnTraffic(a, 9092);
      await rejectOwnTraffic(a, 9092, { drop: true });
      expect(await probeTcp(a.address, 9092, { from: a, timeoutMs: 1000 })).toBe('timeout');
    } finally {
      await allowOwnTraffic(a, 9092);
    }
    expect(await probeTcp(a.address, 9092, { from: a })).toBe('open');
  });

  it("closePort: this machine cannot connect (dropped: a timeout), while ssh and the host's own traffic still work", async () => {
    await closePort(a, 9092);
    try {
      const t0 = Date.now();
      expect(await probeTcp(a.address, 9092, { timeoutMs: 1500 })).toBe('timeout');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
      expect(await probeTcp(a.address, 9092, { from: b, timeoutMs: 1000 })).toBe('timeout');
      expect(await probeTcp(b.address, 9092)).toBe('open');
      expect(await probeTcp(a.address, 9092, { from: a })).toBe('open');
      expect((await execa('ssh', [...sshClientArgs(a), 'echo ok'], { stdin: 'ignore' })).stdout).toBe('ok');

      await openPort(a, 9092);
      await closePort(a, 9092, { reject: true });
      expect(await probeTcp(a.address, 9092)).toBe('refused');
    } finally {
      await openPort(a, 9092);
    }
    expect(await readFrom(a.address, 9092)).toBe(`hello from ${a.netns}`);
    expect(await inNetns(a, ['iptables', '-S'])).not.toContain('--dport');
  });

  it("reaches this machine's loopback services (the mirror) through relayFromBridge", async () => {
    const { mirror } = e2e();
    const relay = await relayFromBridge(Number(new URL(mirror.baseUrl).port));
    try {
      const url = `${mirror.good.replace(new URL(mirror.baseUrl).host, `10.213.0.1:${relay.port}`)}/3.1.0/kafka_2.12-3.1.0.tgz.sha512`;
      const r = await runAsUser(a, `curl -fsS '${url}'`);
      expect(r.stdout, r.stderr).toMatch(/^kafka_2\.12-3\.1\.0\.tgz: [0-9A-F]{8}/);
      // 127.0.0.1 inside the namespace is the namespace's own loopback.
      expect((await runAsUser(a, `curl -fsS -m 3 '${mirror.good}/3.1.0/kafka_2.12-3.1.0.tgz.sha512'`)).code).not.toBe(0);
    } finally {
      await relay.close();
    }
  });

  it('stop removes every process, the namespace, the veth, the user and work dir; the bridge goes with the last host', async () => {
    const c = await startNetnsHost();
    const extra = await listenIn(c, 2181);
    // A session that lingers, as a JVM started over ssh would.
    await execa('ssh', [...sshClientArgs(c), 'nohup sleep 600 >/dev/null 2>&1 &'], { stdin: 'ignore' });
    const pids = await netnsPids(c);
    expect(pids).toEqual(expect.arrayContaining([c.sshdPid, extra.pid]));
    expect(pids.length).toBeGreaterThanOrEqual(3);

    await stopNetnsHost(c);
    stoppedAddress = c.address;
    expect(pids.filter(alive)).toEqual([]);
    expect(await exists('netns', c.netns)).toBe(false);
    expect(await exists('link', c.veth)).toBe(false);
    expect(await exists('user', c.user)).toBe(false);
    expect([existsSync(c.workDir), existsSync(c.home), existsSync(`${RECORDS}/${c.address}`), existsSync(`/etc/netns/${c.netns}`)]).toEqual(
      [false, false, false, false],
    );
    // a and b are still up: the bridge stays.
    expect(await exists('link', BRIDGE)).toBe(true);
    await stopNetnsHost(c); // twice is fine
  });

  it('stop is safe after a start that failed halfway (a namespace and nothing else)', async () => {
    const half: NetnsHost = {
      ...a,
      user: 'kse2ehalf00',
      home: '/home/kse2ehalf00',
      netns: 'ks-half00',
      veth: 'ksv-half00',
      address: '',
      uid: 0,
      sshdPid: 0,
      workDir: '/nonexistent',
    };
    await execa('ip', ['netns', 'add', half.netns]);
    await stopNetnsHost(half);
    expect(await exists('netns', half.netns)).toBe(false);
  });

  it("removes the leftovers of a run whose process is gone, and leaves live runs' hosts alone", async () => {
    const c = await startNetnsHost();
    // The stopped host's address again, with its MAC: this machine's neighbour cache still holds it,
    // so the login startNetnsHost checks goes through at once (a new MAC would time out).
    expect(c.address).toBe(stoppedAddress);
    const record = `${RECORDS}/${c.address}`;
    // As if the process that made c had crashed: a pid that no longer runs this program.
    writeFileSync(record, JSON.stringify({ ...JSON.parse(readFileSync(record, 'utf8')), start: '0' }));
    await removeLeftovers();
    expect(await exists('netns', c.netns)).toBe(false);
    expect(await exists('user', c.user)).toBe(false);
    expect(existsSync(record)).toBe(false);
    for (const live of [a, b]) {
      expect(await exists('netns', live.netns)).toBe(true);
      expect(existsSync(`${RECORDS}/${live.address}`)).toBe(true);
    }
  });

  it('the last stop removes the bridge', async () => {
    await killPids(
      listeners.map((l) => l.pid ?? 0).filter((pid) => pid > 0),
      5000,
    );
    listeners.length = 0;
    await stopNetnsHost(a);
    expect(await exists('link', BRIDGE)).toBe(true);
    await stopNetnsHost(b);
    // Unless another process (the vm project's VM, run beside this one) still holds an address on it.
    const others = existsSync(RECORDS) && readdirSync(RECORDS).some((n) => /^10\.213\.0\.\d+$/.test(n));
    expect(await exists('link', BRIDGE)).toBe(others);
    expect((await execa('ip', ['netns', 'list'], { stdin: 'ignore' })).stdout).not.toMatch(new RegExp(`${a.netns}|${b.netns}`));
  });
});
