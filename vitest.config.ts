import { defineConfig } from 'vitest/config';

// The VM file: its own project, run beside e2e (each VM in a network namespace of its own). Day two on a
// systemd host runs on an nspawn host in the e2e project (systemd-day-two.test.ts).
const vmFiles = ['test/e2e/vm-host.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          // CI runs these beside the e2e JVMs on two cores: a script test under dash may take seconds longer there.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: vmFiles,
          globalSetup: ['test/e2e/global-setup.ts'],
          // One real host for the whole suite: its files run one after another in one process.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'vm',
          include: vmFiles,
          globalSetup: ['test/e2e/vm-global-setup.ts'],
          // Another pool than e2e's: vitest runs the single-fork groups of one pool one after another,
          // but different pools at the same time. One thread: one emulated VM at a time (a CPU each).
          pool: 'threads',
          poolOptions: { threads: { singleThread: true } },
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
