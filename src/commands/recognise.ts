/** The commands' side of recognising a moved server (see options/profile.ts applicableProfile). */
import type { RecogniseMoved } from '../options/profile.js';
import { sameServerMoved } from '../remote/connect/moved-host.js';
import { hashKnownHosts } from '../remote/ssh-config.js';
import type { CommandIO } from './io.js';

/** How long the host-key question may take: it is only asked when --host differs from the profile's. */
const SCAN_TIMEOUT_MS = 10_000;

export function recogniseMoved(io: CommandIO, o: { record: boolean; profile?: string | undefined }): RecogniseMoved {
  return async (q) => {
    const fingerprint = await sameServerMoved({
      ...q,
      timeoutMs: SCAN_TIMEOUT_MS,
      record: o.record,
      hashKnownHosts: hashKnownHosts(q.host),
    });
    if (fingerprint) {
      io.reporter.info(
        `${q.host} offers the host key of ${q.was.host} (${fingerprint}), the server of profile "${o.profile ?? 'default'}": the same server at a new address, so the profile applies`,
      );
    }
    return fingerprint;
  };
}
