/**
 * Puts the e2e host back to "fresh EC2 instance": stops the user's processes (by pid), removes what
 * init created, restores Debian's ~/.bashrc. Test files call it when they need a fresh host, so they
 * do not depend on the order vitest runs them in.
 */
import { type E2eHost, killPids, runAsUser, userPids } from './host.js';

export async function resetHost(host: E2eHost): Promise<void> {
  await killPids(await userPids(host));
  const r = await runAsUser(
    host,
    'rm -rf ~/kafka_* ~/kafka-* ~/.kafka-setup-* ~/.bashrc.kafka-setup.bak /tmp/kafka-setup-$(id -u) && cp /etc/skel/.bashrc ~/.bashrc',
  );
  if (r.code !== 0) throw new Error(`could not reset the e2e host: ${r.stderr}`);
}
