/** Step: download the Kafka tarball on the host, from the first mirror that has it, verified. */
import { UserError } from '../errors.js';
import { withUpdate } from '../host/facts.js';
import type { TransferProgress } from '../host/operations.js';
import { tarballPath } from '../host/target.js';
import { type Distribution, tarballName, tarballUrl } from '../kafka/distribution.js';
import { parseSha512File } from '../kafka/sha512.js';
import { RemoteFailure } from '../remote/session.js';
import { transferMeter } from './transfer-meter.js';
import type { Step, StepContext } from './types.js';

/** The download plus the extracted copy, with room to spare (the 3.1.0 tarball is ~86 MB). */
export const NEEDED_FREE_KIB = 400 * 1024;

/** The tarball's URL on each mirror, in the order they are tried. */
export function tarballUrls(ctx: { options: { mirrors: string[] }; dist: Distribution }): string[] {
  return ctx.options.mirrors.map((m) => tarballUrl(m, ctx.dist));
}

/** Problems that make downloading pointless; found before fetching anything. */
export function downloadPreconditions(ctx: StepContext): UserError | undefined {
  const { install, tools } = ctx.facts;
  if (install.state === 'other') {
    return new UserError(`${install.path} already exists and is not Kafka ${ctx.dist.kafkaVersion}; kafka-setup does not overwrite it`, {
      hint: 'move it away, or choose another directory with --install-dir',
    });
  }
  if (!install.parentWritable) {
    return new UserError(`${ctx.facts.user} cannot write to the directory that would hold ${install.path}`, {
      hint: "choose a directory under the user's home with --install-dir (the default is ~/kafka_<scala>-<version>)",
    });
  }
  if (!tools.has('curl') && !tools.has('wget')) {
    return new UserError('the host has neither curl nor wget, so it cannot download Kafka', {
      hint: 'install one of them (e.g. sudo apt-get install -y curl, or sudo dnf install -y curl), then run kafka-setup init again',
    });
  }
  if (install.parentFreeKib > 0 && install.parentFreeKib < NEEDED_FREE_KIB) {
    return new UserError(
      `only ${Math.round(install.parentFreeKib / 1024)} MiB are free where Kafka would go; it needs about ${NEEDED_FREE_KIB / 1024} MiB`,
      {
        hint: 'free some disk space (or grow the volume), or choose another place with --install-dir',
      },
    );
  }
  return undefined;
}

export const downloadStep: Step = {
  id: 'download',
  title: 'Download Kafka',
  check(ctx) {
    const { install } = ctx.facts;
    if (install.state === 'kafka') return { done: true, detail: `Kafka is already installed in ${install.path}` };
    if (install.tarball && ctx.facts.tarballVerified) return { done: true, detail: `${tarballName(ctx.dist)} was downloaded and verified` };
    // A tarball found on the host is someone's file until its checksum matches: compared again.
    if (install.tarball)
      return {
        done: false,
        reason: `verify the ${tarballName(ctx.dist)} found on the host (downloaded anew unless its SHA-512 matches)`,
        wouldRun: wouldRun(ctx),
      };
    return { done: false, reason: `download ${tarballName(ctx.dist)}`, wouldRun: wouldRun(ctx) };
  },
  preflight: downloadPreconditions,
  async apply(ctx) {
    try {
      return await download(ctx);
    } catch (err) {
      throw (err instanceof RemoteFailure && explain(err, ctx)) || err;
    }
  },
};

function wouldRun(ctx: StepContext): string[] {
  const get = ctx.facts.tools.has('curl') ? 'curl -fsSL -o' : 'wget -O';
  const first = tarballUrls(ctx)[0]!;
  return [
    ...(ctx.options.sha512 ? [] : [`${get} - ${first}.sha512   (then the next mirrors on failure)`]),
    `${get} ${tarballPath(ctx)}.part ${first}`,
    `sha512sum ${tarballPath(ctx)}.part   (compared with ${ctx.options.sha512 ? '--sha512' : 'the published .sha512'}), then mv to ${tarballPath(ctx)}`,
  ];
}

async function download(ctx: StepContext): Promise<string> {
  const list = tarballUrls(ctx);
  let expected = ctx.options.sha512;
  let fromMirrors = list;
  if (!expected) {
    // Usually fetched by the probe already; else (the tarball vanished since) one round trip now.
    const published = ctx.facts.sha512 ?? (await ctx.host.fetchSha512(list));
    if (!published.url) {
      throw new UserError(`no mirror has ${tarballName(ctx.dist)}.sha512, so the download cannot be verified`, {
        details: published.tried,
        hint: `check --kafka-version and --scala-version (is ${tarballName(ctx.dist)} a real release?), and --mirror; Kafka releases older than the current ones are only on https://archive.apache.org/dist/kafka`,
      });
    }
    try {
      expected = parseSha512File(published.content ?? '');
    } catch (err) {
      throw new UserError(`${published.url}.sha512 is not a checksum file: ${(err as Error).message}`, {
        hint: 'pass the digest yourself with --sha512 HEX, or use another --mirror',
      });
    }
    // The checksum says which mirror serves this release; earlier ones did not have it.
    fromMirrors = list.slice(list.indexOf(published.url));
  }
  const meter = transferMeter();
  const progress = ctx.progress;
  const got = await ctx.host.download({
    urls: fromMirrors,
    sha512: expected,
    ...(progress ? { onProgress: (p: TransferProgress) => progress(`downloading ${tarballName(ctx.dist)}: ${meter(p)}`) } : {}),
  });
  ctx.facts = withUpdate(ctx.facts, got.update);
  const mib = (got.bytes / (1024 * 1024)).toFixed(1);
  if (got.reused) return `the ${mib} MiB tarball an earlier run left matches the SHA-512; kept`;
  const skipped = got.tried.length;
  return `${mib} MiB from ${got.url}${skipped ? ` (after ${skipped} mirror${skipped > 1 ? 's' : ''} without it)` : ''}, SHA-512 verified`;
}

function explain(f: RemoteFailure, ctx: StepContext): UserError | undefined {
  if (f.kind === 'checksum_mismatch') {
    return new UserError(f.message, {
      details: [`expected ${ctx.options.sha512 ? '(--sha512)' : '(published)'} and got ${f.fields.get('actual') ?? '?'}`],
      hint: 'the mirror served a damaged or different file; nothing was extracted. Run again to retry, or pick another --mirror (or check your --sha512)',
    });
  }
  if (f.kind === 'no_mirror') {
    return new UserError(`no mirror could deliver ${tarballName(ctx.dist)}`, {
      details: f.details,
      hint: `check that the host can reach the mirrors (outbound HTTPS) and that the release exists; 3.1.0 and other old releases are only on https://archive.apache.org/dist/kafka`,
    });
  }
  return undefined;
}
