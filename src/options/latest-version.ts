/**
 * `--kafka-version latest`: the newest release that the first mirror answering with a listing names.
 * It is read from this machine, before anything runs on the host: the version decides the mode, the
 * Scala build and the install directory, which the plan (and a dry run) needs before the first
 * command on the host; the host's own network only ever fetches the tarball.
 */
import { UsageError, UserError } from '../errors.js';
import { LATEST_KNOWN_KAFKA } from '../kafka/distribution.js';
import { compareVersions, listedReleases } from '../kafka/latest-release.js';
import type { Page } from '../local/fetch-page.js';
import { versionProblem } from './validate.js';

export const LATEST = 'latest';

/** Per mirror: a listing is a few KiB and a mirror that answers does so within a second or two. */
export const LISTING_TIMEOUT_MS = 10_000;
export const LISTING_MAX_BYTES = 1024 * 1024;

export interface LatestRelease {
  version: string;
  /** The listing it was read from. */
  listing: string;
  /** A newer release listed that kafka-setup does not set up (a future major), if any. */
  newerUnsupported?: string;
}

/** A checksum belongs to one tarball: with "latest" nobody knows which before a mirror is asked. */
export function latestFlagsProblem(flags: { kafkaVersion?: string | undefined; sha512?: string | undefined }): UsageError | undefined {
  if (flags.kafkaVersion !== LATEST || flags.sha512 === undefined) return undefined;
  return new UsageError(
    "--sha512 cannot go with --kafka-version latest: a checksum is of one version's tarball, and which version is the latest is only known once a mirror is asked",
    'name the version the checksum is for (--kafka-version X.Y.Z --sha512 …), or leave --sha512 out: the .sha512 published beside the tarball is checked; nothing was changed',
  );
}

/** Tries each mirror's listing in order; the first that lists a release kafka-setup sets up decides. */
export async function resolveLatest(mirrors: readonly string[], fetchPage: (url: string) => Promise<Page>): Promise<LatestRelease> {
  const failures: string[] = [];
  let newest: string | undefined;
  for (const mirror of mirrors) {
    const listing = `${mirror.replace(/\/+$/, '')}/`;
    const page = await fetchPage(listing);
    if (!page.ok) {
      failures.push(`${listing}: ${page.reason}`);
      continue;
    }
    const listed = listedReleases(page.text);
    if (listed[0] !== undefined && (newest === undefined || compareVersions(listed[0], newest) > 0)) newest = listed[0];
    const version = listed.find((v) => versionProblem(v) === undefined);
    if (version === undefined) {
      failures.push(
        `${listing}: ${
          listed.length === 0
            ? 'answered, but lists no release directories (not a listing like https://downloads.apache.org/kafka/)'
            : `lists only releases kafka-setup does not set up (${listed.slice(0, 3).join(', ')}${listed.length > 3 ? ', …' : ''})`
        }`,
      );
      continue;
    }
    return { version, listing, ...(newest !== undefined && compareVersions(newest, version) > 0 ? { newerUnsupported: newest } : {}) };
  }
  throw new UserError('--kafka-version latest: no mirror answered with a list of Kafka releases kafka-setup sets up', {
    details: failures,
    hint: `name the version instead (e.g. --kafka-version ${LATEST_KNOWN_KAFKA}), or check --mirror: a mirror must be reachable from this machine and list its releases as https://downloads.apache.org/kafka/ does; nothing was changed`,
  });
}

/** The line that says which version "latest" became, and why not a newer one that was listed. */
export function latestText(r: LatestRelease): string {
  const newer =
    r.newerUnsupported === undefined
      ? ''
      : ` that kafka-setup sets up (it also lists ${r.newerUnsupported}; kafka-setup sets up 3.0.0 to 4.x)`;
  return `--kafka-version latest: ${r.version}, the newest release ${r.listing} lists${newer}`;
}
