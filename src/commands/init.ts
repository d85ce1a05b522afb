/** `kafka-setup init`: options → key → connection → probe → steps → summary and saved profile. */
import { distName } from '../kafka/distribution.js';
import { formatHeap } from '../kafka/heap.js';
import { resolveInitOptions, type InitFlags, type InitOptions } from '../options/init-options.js';
import { profilePath, saveProfile } from '../options/profile.js';
import { isInteractive } from '../options/resolve.js';
import { remoteScript } from '../remote/script.js';
import { describeStats, type Session } from '../remote/session.js';
import { resolveHost } from '../local/net.js';
import { mergeFacts, type HostFacts } from '../steps/facts.js';
import { tarballUrls } from '../steps/download.js';
import { initSteps } from '../steps/plan.js';
import { runSteps, type StepReport } from '../steps/runner.js';
import { advertisedListener, baseVars, bootstrapAddress, brokerHeapMib } from '../steps/targets.js';
import type { StepContext } from '../steps/types.js';
import type { CommandIO } from './io.js';
import { openSession } from './open-session.js';

function gib(kib: number): string {
  return `${(kib / 1024 / 1024).toFixed(1)} GiB`;
}

/** Step 3: everything the steps decide from, in one round trip. */
async function probe(session: Session, o: InitOptions, io: CommandIO): Promise<HostFacts> {
  const active = io.reporter.step('Inspect the host');
  try {
    const dist = { kafkaVersion: o.kafkaVersion, scalaVersion: o.scalaVersion };
    // KS_URLS lets the probe fetch the published checksum when Kafka is still to be downloaded.
    const urls = o.sha512 ? '' : tarballUrls({ options: o, dist }).join('\n');
    const res = await session.run(remoteScript('probe', { ...baseVars({ options: o, dist }), KS_URLS: urls }, ['probe-lib', 'probe']), { timeoutMs: 120_000 });
    const facts = mergeFacts(undefined, res.sections);
    const sudo = { root: 'root', yes: 'passwordless sudo', password: 'sudo needs a password', missing: 'no sudo' }[facts.sudo];
    active.finish('done', `${facts.os.prettyName}, ${gib(facts.memKib)} memory, ${gib(facts.install.parentFreeKib)} free, ${sudo}`);
    return facts;
  } catch (err) {
    active.finish('failed', '');
    throw err;
  }
}

function summary(ctx: StepContext, reports: StepReport[], profileFile: string | undefined): string[] {
  const changed = reports.filter((r) => r.outcome === 'done' && r.id !== 'jps').length;
  const bootstrap = bootstrapAddress(ctx.options.advertisedHost);
  return [
    '',
    `Kafka ${ctx.dist.kafkaVersion} is running on ${ctx.options.host} (${changed === 0 ? 'nothing needed to change' : `${changed} step${changed > 1 ? 's' : ''} changed the host`}).`,
    `  bootstrap server   ${bootstrap}   (advertised.listeners=${advertisedListener(ctx)})`,
    `  installed in       ${ctx.facts.install.path}   heap -Xmx${formatHeap(brokerHeapMib(ctx))}`,
    ...(profileFile ? [`  profile saved      ${profileFile}`] : []),
    '',
    'Next:',
    '  kafka-setup verify                    check the broker from this machine',
    '  kafka-setup hosts --alias my-kafka    name it in this machine\'s hosts file',
    `  kcat -b ${bootstrap} -L`.padEnd(40) + "list the cluster's metadata",
  ];
}

export async function initCommand(flags: InitFlags, io: CommandIO): Promise<number> {
  const interactive = isInteractive(flags.interactive);
  const options = await resolveInitOptions(flags, { prompter: interactive ? io.prompter() : undefined, env: io.env, warn: (m) => io.reporter.warn(m) });
  const dist = { kafkaVersion: options.kafkaVersion, scalaVersion: options.scalaVersion };
  io.reporter.info(
    `kafka-setup init: ${distName(dist)} on ${options.user}@${options.host}:${options.port}${options.dryRun ? ' (dry run: nothing on the host will change)' : ''}`,
  );
  const session = await openSession(options, io, { dryRun: options.dryRun });
  try {
    const facts = await probe(session, options, io);
    const ctx: StepContext = { options, session, dist, facts };
    const reports = await runSteps([...initSteps], ctx, io.reporter, options.dryRun);
    io.reporter.verbose(`ssh: ${describeStats(session.stats)}`);
    if (options.dryRun) {
      const pending = reports.filter((r) => r.outcome === 'planned').length;
      io.reporter.lines(['', pending === 0 ? 'Dry run: the host is already set up; init would change nothing.' : `Dry run: init would run ${pending} step${pending > 1 ? 's' : ''}; nothing was changed.`]);
      return 0;
    }
    const heap = formatHeap(brokerHeapMib(ctx));
    const saved = await saveProfile(options.profile, {
      host: options.host,
      port: options.port,
      user: options.user,
      key: options.keyPath,
      knownHosts: options.knownHostsPath,
      kafkaVersion: options.kafkaVersion,
      scalaVersion: options.scalaVersion,
      installDir: options.installDir,
      heap,
      advertisedHost: options.advertisedHost,
      mirrors: options.mirrors,
      ...(options.sha512 ? { sha512: options.sha512 } : {}),
    }, io.env).catch((err: Error) => {
      io.reporter.warn(`could not save the profile ${profilePath(options.profile, io.env)}: ${err.message}`);
      return undefined;
    });
    io.reporter.lines(summary(ctx, reports, saved));
    // The most common mistake in the field: an advertised address clients cannot use.
    const advertised = await resolveHost(options.advertisedHost);
    if (!advertised.ok) io.reporter.warn(`${advertised.reason} from this machine: clients here will reach the bootstrap address but not the broker; kafka-setup verify shows what to set`);
    return 0;
  } finally {
    session.close();
  }
}
