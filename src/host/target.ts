/** Where a Kafka install is on the host: what every remote script needs to find it. */
import { posix } from 'node:path';
import { EVERY_KIND, INSTALL_PORTS, UNIT_DIR } from '../kafka/daemons.js';
import { coreJar, type Distribution, distName, tarballName } from '../kafka/distribution.js';
import type { BASE_INPUTS } from './script-inputs.js';
import { UNIT_HEADER } from './unit-owner.js';

export const BASHRC = '~/.bashrc';

export interface InstallTarget {
  options: { installDir: string };
  dist: Distribution;
}

/** The tarball is downloaded beside the install directory, as in the seed notes (~/kafka_….tgz). */
export function tarballPath(t: InstallTarget): string {
  return posix.join(posix.dirname(t.options.installDir), tarballName(t.dist));
}

/** Variables every remote script gets, for the probe functions they share (probe-lib.sh). */
export function baseVars(t: InstallTarget): Record<keyof typeof BASE_INPUTS, string> {
  return {
    KS_INSTALL: t.options.installDir,
    KS_TARBALL: tarballPath(t),
    KS_CORE_JAR: coreJar(t.dist),
    KS_TOPDIR: distName(t.dist),
    KS_BASHRC: BASHRC,
    KS_PORTS: INSTALL_PORTS.join(' '),
    KS_UNITS: EVERY_KIND.map((d) => `${d.kind}=${d.unit}`).join(' '),
    KS_UNIT_DIR: UNIT_DIR,
    KS_UNIT_HEADER: UNIT_HEADER,
  };
}
