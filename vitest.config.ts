import { defineConfig } from 'vitest/config';

// The files that run beside the loopback e2e files: their targets live in network namespaces of their
// own (the VM, the nspawn and Amazon Linux 2023 and 2 hosts, a netns cluster), so they share no port with the
// loopback host, and accounts are made under a lock both processes share (support/host.ts). Every
// nspawn host is started from this project only (one process: the hosts' bridge is never removed by
// one process while another attaches to it). CI time: the two streams overlap (scripts/run-tests.mjs runs
// each in a vitest process of its own); the files are split so that both end at about the same time.
const parallelFiles = [
  'test/e2e/vm-host.test.ts',
  'test/e2e/nspawn-host.test.ts',
  'test/e2e/systemd-cluster.test.ts',
  'test/e2e/systemd-day-two.test.ts',
  'test/e2e/kraft-systemd.test.ts',
  'test/e2e/al2023-host.test.ts',
  'test/e2e/al2-host.test.ts',
  'test/e2e/cluster-day-two.test.ts',
  'test/e2e/kraft-cluster.test.ts',
  'test/e2e/cluster-logs-uninstall.test.ts',
  'test/e2e/security-group.test.ts',
];

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
          exclude: parallelFiles,
          globalSetup: ['test/e2e/global-setup.ts'],
          // One real host for the whole suite: its files run one after another.
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'parallel',
          include: parallelFiles,
          globalSetup: ['test/e2e/parallel-global-setup.ts'],
          // One file at a time (an emulated VM takes a CPU); vitest runs such a project's files after
          // the projects that run several at once (the unit tests, in the same process).
          pool: 'threads',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
