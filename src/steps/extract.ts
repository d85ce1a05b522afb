/** Step: unpack the tarball into the install directory, atomically (see extract.sh). */
import { UserError } from '../errors.js';
import { withUpdate } from '../host/facts.js';
import { tarballPath } from '../host/target.js';
import { distName } from '../kafka/distribution.js';
import { RemoteFailure } from '../remote/session.js';
import { editsDueNow } from './edits.js';
import type { Step } from './types.js';

function explain(f: RemoteFailure): UserError | undefined {
  if (f.kind === 'not_kafka')
    return new UserError(f.message, { hint: 'move that directory away, or choose another one with --install-dir' });
  if (f.kind === 'tarball_changed' || f.kind === 'no_tarball') {
    return new UserError(f.message, {
      hint: 'something else on the host is writing to that file; run kafka-setup init again to download and verify it anew',
    });
  }
  if (f.kind === 'bad_tarball' || f.kind === 'extract_failed') {
    return new UserError(f.message, {
      hint: 'the tarball was left in place for inspection; delete it and run again to download it anew, or check --kafka-version/--scala-version',
    });
  }
  return undefined;
}

export const extractStep: Step = {
  id: 'extract',
  title: 'Extract Kafka',
  check(ctx) {
    if (ctx.facts.install.state === 'kafka')
      return { done: true, detail: `${ctx.facts.install.path} holds Kafka ${ctx.dist.kafkaVersion}` };
    return {
      done: false,
      reason: `extract into ${ctx.facts.install.path}`,
      wouldRun: [
        `tar -xzf ${tarballPath(ctx)} -C <temporary directory beside ${ctx.options.installDir}>`,
        `mv <temporary directory>/${distName(ctx.dist)} ${ctx.options.installDir} && rm ${tarballPath(ctx)}`,
      ],
    };
  },
  async apply(ctx) {
    try {
      // The heap and config edits (computed from the config files read out of the tarball) are
      // written right after extraction, in the same round trip; the checksum this run compared is
      // compared again right before extracting.
      ctx.facts = withUpdate(ctx.facts, await ctx.host.extract({ sha512: ctx.facts.tarballVerified ?? '', alsoWrite: editsDueNow(ctx) }));
    } catch (err) {
      throw (err instanceof RemoteFailure && explain(err)) || err;
    }
    return `extracted to ${ctx.facts.install.path}`;
  },
};
