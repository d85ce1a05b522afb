/** scripts/e2e-machine.mjs: what npm test does on a machine that lacks the e2e suite's packages. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/e2e-machine.mjs', import.meta.url));
const asRoot = process.platform === 'linux' && process.getuid?.() === 0;
let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** Runs the script with PATH holding only a fake apt-get (it records its arguments) and, optionally, fake commands. */
function runWith(
  verb: string,
  commands: string[] = [],
  aptExit = 0,
): { code: number | null; stderr: string; stdout: string; apt: string[] } {
  dir = mkdtempSync(join(tmpdir(), 'ks-machine-'));
  const log = join(dir, 'apt.log');
  writeFileSync(join(dir, 'apt-get'), `#!/bin/sh\necho "$*" >> '${log}'\nexit ${aptExit}\n`);
  for (const c of ['apt-get', ...commands]) {
    if (c !== 'apt-get') writeFileSync(join(dir, c), '#!/bin/sh\n');
    chmodSync(join(dir, c), 0o755);
  }
  const r = spawnSync(process.execPath, [script, verb], { encoding: 'utf8', env: { PATH: dir } });
  let apt: string[] = [];
  try {
    apt = readFileSync(log, 'utf8').trim().split('\n');
  } catch {
    /* never ran */
  }
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, apt };
}

describe('scripts/e2e-machine.mjs', () => {
  it('list and missing print package names, space separated', () => {
    const r = runWith('missing', ['kcat', 'tmux']);
    expect(r.code).toBe(0);
    const missing = r.stdout.trim().split(' ');
    expect(missing).toContain('dnf');
    expect(missing).not.toContain('kcat');
    expect(missing).not.toContain('tmux');
    expect(r.apt).toEqual([]);
  });

  it('a verb it does not know: usage, exit 2', () => {
    expect(runWith('frobnicate').code).toBe(2);
  });

  it.skipIf(!asRoot)(
    'ensure, as root: apt-get update, then one install of what is missing; still missing after it: exit 1, saying so',
    () => {
      const r = runWith('ensure', ['kcat']);
      expect(r.apt[0]).toBe('update -qq');
      expect(r.apt[1]).toMatch(/^install -y -qq --no-install-recommends (openssh-server )?openssh-client sudo /);
      expect(r.apt[1]).not.toContain('kcat');
      expect(r.apt).toHaveLength(2);
      expect(r.stderr).toContain('e2e-machine: installing what the end-to-end suite needs:');
      expect(r.stderr).toMatch(/still missing after apt-get: (openssh-server )?openssh-client /);
      expect(r.code).toBe(1);
    },
  );

  it.skipIf(!asRoot)('apt-get failing: exit 1, naming the command that installs the packages', () => {
    const r = runWith('install', [], 100);
    expect(r.code).toBe(1);
    expect(r.apt).toEqual(['update -qq']);
    expect(r.stderr).toMatch(
      /apt-get update failed \(exit 100\); the suite needs: apt-get install -y --no-install-recommends (openssh-server )?openssh-client /,
    );
  });
});
