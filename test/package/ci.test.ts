/** CI runs exactly the README's test command; that command covers Node 22, 24 and 26 (and refuses 20), and sets the machine up. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { E2E_NEEDS, E2E_PACKAGES, installCommand } from '../../scripts/e2e-machine.mjs';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const TEST_COMMAND = 'npm ci && npm test';

describe('the test command', () => {
  it(".ci/run ends by running the README's test command", () => {
    const commands = read('.ci/run')
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#'));
    expect(commands.at(-1)).toBe(TEST_COMMAND);
    expect(read('README.md')).toContain(`\`\`\`sh\n${TEST_COMMAND}\n\`\`\``);
  });

  it('npm test makes sure of the e2e packages, runs every project in two streams on the newest LTS, and the unit tests on Node 22 and 24', () => {
    const pkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string>; engines: { node: string } };
    // The newest LTS (26) comes from the registry as a devDependency: npm's scripts run on it.
    expect(pkg.devDependencies.node).toMatch(/^\^26\./);
    expect(read('scripts/run-tests.mjs')).toContain('if (process.versions.node !== pinned)');
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.test).toBe('npm run lint && npm run build && node scripts/e2e-machine.mjs ensure && node scripts/run-tests.mjs');
    // One formatter and linter (Biome), checked before anything is built: CI fails on an unformatted file.
    expect(scripts.lint).toBe('biome ci .');
    const streams = read('scripts/run-tests.mjs');
    expect(streams).toContain("[...vitest, '--project', 'e2e']");
    expect(streams).toContain("[...vitest, '--project', 'unit', '--project', 'parallel'], ['scripts/test-other-nodes.mjs']");
    // Every project of the config is run by one of the streams.
    expect([...read('vitest.config.ts').matchAll(/name: '(\w+)'/g)].map((m) => m[1]).sort()).toEqual(['e2e', 'parallel', 'unit']);
    const other = read('scripts/test-other-nodes.mjs');
    expect(other).toContain("const MAJORS = ['22', '24'];");
    expect(other).toContain("const UNSUPPORTED = '20';");
    expect(other).toContain("'run', '--project', 'unit'");
  });
});

describe("the e2e suite's packages: one list", () => {
  it('the README names exactly the packages of scripts/e2e-machine.mjs', () => {
    expect(read('README.md')).toContain(`\`${E2E_PACKAGES.join(' ')}\``);
  });

  it('.ci/run installs them from that list and names no package of its own', () => {
    const ci = read('.ci/run');
    expect(ci).toContain('node scripts/e2e-machine.mjs install');
    expect(ci).not.toMatch(/apt-get install/);
  });

  it('every package is named once, with a command that proves it and a reason', () => {
    expect(new Set(E2E_PACKAGES).size).toBe(E2E_PACKAGES.length);
    for (const [pkg, command, why] of E2E_NEEDS) {
      expect(pkg).toMatch(/^[a-z0-9][a-z0-9.+-]*$/);
      expect(command).toMatch(/^[\w.+-]+$/);
      expect(why.length).toBeGreaterThan(5);
    }
    // The packages the suite's own hosts call for by name (support/*.ts) are on the list.
    for (const pkg of [
      'openssh-server',
      'iproute2',
      'iptables',
      'systemd-container',
      'qemu-system-x86',
      'qemu-utils',
      'e2fsprogs',
      'dnf',
      'rpm',
      'createrepo-c',
    ]) {
      expect(E2E_PACKAGES).toContain(pkg);
    }
    expect(installCommand(['a', 'b'])).toBe('apt-get install -y --no-install-recommends a b');
  });
});
