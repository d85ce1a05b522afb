/**
 * Brings the e2e target up by hand, for debugging and demos: `npx tsx test/e2e/support/dev-host.ts`.
 * Prints the flags to reach it, writes them to .cache/e2e/dev-host.env, and tears everything down on
 * Ctrl-C (or SIGTERM).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDistribution } from './dist.js';
import { startHost, stopHost } from './host.js';
import { startMirror } from './mirror.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const distDir = await buildDistribution(join(root, '.cache/e2e/dist'));
const mirror = await startMirror(distDir);
const host = await startHost();
const env = [
  `KS_DEV_HOST_PID=${process.pid}`,
  `KS_PORT=${host.sshPort}`,
  `KS_USER=${host.user}`,
  `KS_KEY=${host.keyPath}`,
  `KS_MIRROR=${mirror.good}`,
  `KS_MISSING=${mirror.missing}`,
  `KS_CORRUPT=${mirror.corrupt}`,
  `KS_HOME=${host.home}`,
  `KS_WORK=${host.workDir}`,
].join('\n');
writeFileSync(join(root, '.cache/e2e/dev-host.env'), `${env}\n`);
console.log(env);
console.log(
  `\nkafka-setup init --host 127.0.0.1 --port ${host.sshPort} --user ${host.user} --key ${host.keyPath} --mirror ${mirror.good} --heap 256m`,
);
const stop = async (): Promise<void> => {
  await stopHost(host);
  await mirror.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
setInterval(() => {}, 1 << 30);
