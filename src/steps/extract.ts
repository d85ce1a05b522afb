/** Step: unpack the tarball into the install directory, atomically (see extract.sh). */
import { UserError } from '../errors.js';
import { remoteScript } from '../remote/script.js';
import { writeCalls } from './files.js';
import { mergeFacts } from './facts.js';
import { baseVars, tarballPath } from './targets.js';
import type { Step } from './types.js';

export const extractStep: Step = {
  id: 'extract',
  title: 'Extract Kafka',
  check(ctx) {
    if (ctx.facts.install.state === 'kafka') return { done: true, detail: `${ctx.facts.install.path} holds Kafka ${ctx.dist.kafkaVersion}` };
    return { done: false, reason: `extract into ${ctx.facts.install.path}` };
  },
  plan(ctx) {
    return [
      `tar -xzf ${tarballPath(ctx)} -C <temporary directory beside ${ctx.options.installDir}>`,
      `mv <temporary directory>/${baseVars(ctx).KS_TOPDIR} ${ctx.options.installDir} && rm ${tarballPath(ctx)}`,
    ];
  },
  // The heap and config edits (computed from the config files read out of the tarball) are written
  // right after extraction, in the same round trip.
  carriesWrites: true,
  async apply(ctx, carried = []) {
    const w = writeCalls(carried);
    // The checksum this run compared: extract.sh compares it again right before extracting.
    const script = remoteScript('extract', { ...baseVars(ctx), KS_SHA512: ctx.facts.tarballVerified ?? '', ...w.vars }, ['probe-lib', 'write-files', 'extract'], [...w.calls, ...(carried.length ? ['ks_probe_files'] : [])]);
    const res = await ctx.session.run(script, { timeoutMs: 15 * 60_000 });
    ctx.facts = mergeFacts(ctx.facts, res.sections);
    return `extracted to ${ctx.facts.install.path}`;
  },
  explain(f) {
    if (f.kind === 'not_kafka') return new UserError(`Extract Kafka: ${f.message}`, { hint: 'move that directory away, or choose another one with --install-dir' });
    if (f.kind === 'tarball_changed' || f.kind === 'no_tarball') {
      return new UserError(`Extract Kafka: ${f.message}`, { hint: 'something else on the host is writing to that file; run kafka-setup init again to download and verify it anew' });
    }
    if (f.kind === 'bad_tarball' || f.kind === 'extract_failed') {
      return new UserError(`Extract Kafka: ${f.message}`, { hint: 'the tarball was left in place for inspection; delete it and run again to download it anew, or check --kafka-version/--scala-version' });
    }
    return undefined;
  },
};
