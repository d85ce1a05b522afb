/**
 * install-java.sh's progress reader (ks_pm_phase) under dash and the machine's awk, over the output
 * apt-get and dnf print as they go: the phase and how far, from each stage of a real install's log.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';

const script = readFileSync(join(import.meta.dirname, '../../templates/remote/install-java.sh'), 'utf8');
const phaseFunction = /^ks_pm_phase\(\) \{\n[\s\S]*?\n\}\n/m.exec(script)?.[0] ?? '';

/** The phase ks_pm_phase reads from a log holding these lines. */
function phaseOf(lines: string[]): string {
  const log = join(scratchDir('ks-phase-'), 'log');
  writeFileSync(log, lines.map((l) => `${l}\n`).join(''));
  const r = spawnSync('sh', ['-c', `${phaseFunction}ks_pm_phase`], { env: { PATH: process.env.PATH, ks_log: log }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

const APT = [
  'Reading package lists...',
  '0 upgraded, 26 newly installed, 0 to remove and 0 not upgraded.',
  'Need to get 125 MB of archives.',
  'Get:1 http://deb.debian.org/debian bookworm/main amd64 ca-certificates-java all 20230710~deb12u1 [11.9 kB]',
  'Get:2 http://deb.debian.org/debian bookworm/main amd64 fonts-dejavu-core all 2.37-6 [1068 kB]',
  'Fetched 125 MB in 1s (241 MB/s)',
  'Selecting previously unselected package ca-certificates-java.',
  'Unpacking ca-certificates-java (20230710~deb12u1) ...',
  'Unpacking openjdk-17-jre-headless:amd64 (17.0.19+10-1~deb12u2) ...',
  'Setting up java-common (0.74) ...',
  'Setting up openjdk-17-jre-headless:amd64 (17.0.19+10-1~deb12u2) ...',
];

const DNF = [
  'Dependencies resolved.',
  'Install  3 Packages',
  'Downloading Packages:',
  '(1/3): java-17-amazon-corretto-headless-17.0.13.rpm  10 MB/s |  91 MB     00:09',
  '(2/3): alsa-lib.rpm  1 MB/s |  1 MB     00:01',
  'Running transaction',
  '  Preparing        :                                                        1/1',
  '  Installing       : java-17-amazon-corretto-headless-1:17.0.13.11-1.amzn2023.x86_64   1/3',
  '  Running scriptlet: java-17-amazon-corretto-headless-1:17.0.13.11-1.amzn2023.x86_64   2/3',
  '  Verifying        : alsa-lib-1.2.7.2-1.amzn2023.0.2.x86_64                             3/3',
];

describe('ks_pm_phase', () => {
  it('apt: the package lists, then downloading N of the total, unpacking and configuring each package', () => {
    expect(phaseOf(['Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]'])).toBe('refreshing the package lists (file 1)');
    expect(phaseOf(APT.slice(0, 5))).toBe('downloading package 2 of 26');
    expect(phaseOf(APT.slice(0, 9))).toBe('unpacking openjdk-17-jre-headless (2 of 26)');
    expect(phaseOf(APT)).toBe('configuring openjdk-17-jre-headless (2 of 26)');
  });

  it("dnf and yum: downloading, installing, configuring (scriptlets) and verifying, with the transaction's counts", () => {
    expect(phaseOf(DNF.slice(0, 5))).toBe('downloading package 2 of 3');
    expect(phaseOf(DNF.slice(0, 8))).toBe('installing package 1 of 3');
    expect(phaseOf(DNF.slice(0, 9))).toBe('configuring package 2 of 3');
    expect(phaseOf(DNF)).toBe('verifying package 3 of 3');
  });

  it('nothing to say yet: no line', () => {
    expect(phaseOf(['Reading package lists...'])).toBe('');
  });
});
