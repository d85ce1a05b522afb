/** JVM heap sizes as Kafka's scripts take them (`-Xmx400m`), in MiB internally. */
import { visible } from '../visible.js';

/** The seed's rule: never give a broker more than 5 GB of heap; the page cache does the work. */
export const MAX_HEAP_MIB = 5 * 1024;
export const MIN_HEAP_MIB = 128;
/** ZooKeeper's own default (`zookeeper-server-start.sh`); it never needs more on one node. */
export const ZOOKEEPER_DEFAULT_HEAP_MIB = 512;

const HEAP = /^([1-9][0-9]{0,6})([mMgG])$/;

/** Parses `400m`, `1g`, `2G`; undefined when it is not a size. Range is checked by `heapProblem`. */
export function parseHeap(value: string): number | undefined {
  const m = HEAP.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2]!.toLowerCase() === 'g' ? n * 1024 : n;
}

/** What is wrong with a heap value, or undefined when it is usable. */
export function heapProblem(value: string): string | undefined {
  const mib = parseHeap(value);
  // Escaped: the value may come from a hand-edited profile, and reaches the terminal.
  if (mib === undefined) return `"${visible(value)}" is not a heap size; use a number with m or g, e.g. 400m or 1g`;
  if (mib > MAX_HEAP_MIB) return `${value} is above 5g; Kafka brokers should not get more than 5g of heap`;
  if (mib < MIN_HEAP_MIB) return `${value} is below ${MIN_HEAP_MIB}m; the broker will not start with so little`;
  return undefined;
}

/** Canonical spelling: whole gigabytes as `Ng`, the rest as `Nm`. */
export function formatHeap(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}g` : `${mib}m`;
}

/** ZooKeeper gets the broker's heap, but never more than its own default: one node needs no more. */
export function zookeeperHeapFor(brokerMib: number): number {
  return Math.min(brokerMib, ZOOKEEPER_DEFAULT_HEAP_MIB);
}

/*
 * The memory budget: what the JVMs keep resident must fit in MemTotal. Measured here with Kafka 3.1.0
 * on OpenJDK 17, -Xmx400m -Xms400m for both JVMs, while a producer sent 300,000 records: the broker's
 * heap held 211 MiB and grows to all of it under sustained load, so it counts in full; besides it the
 * broker kept 151 MiB resident (metaspace, code cache, GC structures, thread stacks, buffers).
 * ZooKeeper serving one broker held 23 MiB of its heap and 57 MiB besides: -Xms commits its heap,
 * but Linux backs only the pages it touches, and it never touches much, whatever its -Xmx. Counting
 * its whole -Xmx would refuse the seed notes' own t2.micro setup (400m + 400m + overheads > 973 MiB),
 * which runs. Then room for the system (systemd, journald, sshd, the cloud agents, some page cache).
 * Swap does not count: a JVM whose heap is swapped out stalls at every collection.
 *
 * On a 1 GiB t2.micro (MemTotal ~973 MiB, no swap) the seed's 400m needs 880 MiB and fits; 512m
 * needs 992 MiB and is refused: the broker alone would take 672 MiB, leaving too little for the
 * system under load. The largest fitting heap there is 480m.
 */
export const BROKER_OVERHEAD_MIB = 160;
export const ZOOKEEPER_RESIDENT_MIB = 128;
export const SYSTEM_RESERVE_MIB = 192;
/** The largest fitting heap is rounded down to this, so that advice reads 480m rather than 493m. */
const HEAP_STEP_MIB = 16;

/** What a mode's JVMs keep resident besides the broker's heap (see mode.ts). */
export interface MemoryBudget {
  brokerOverheadMib: number;
  /** Other JVMs: `[name, MiB]`. */
  residentBesides: ReadonlyArray<readonly [string, number]>;
}

/** ZooKeeper mode's budget, the figures measured above. */
export const ZOOKEEPER_BUDGET: MemoryBudget = {
  brokerOverheadMib: BROKER_OVERHEAD_MIB,
  residentBesides: [['ZooKeeper', ZOOKEEPER_RESIDENT_MIB]],
};

/** MiB of memory the broker, the other JVMs and the system need, with this broker heap. */
export function memoryNeedMib(brokerMib: number, b: MemoryBudget = ZOOKEEPER_BUDGET): number {
  return brokerMib + b.brokerOverheadMib + b.residentBesides.reduce((sum, [, mib]) => sum + mib, 0) + SYSTEM_RESERVE_MIB;
}

/** The largest broker heap that fits in this much memory, or undefined when not even the minimum does. */
export function largestFittingHeapMib(memTotalKib: number, b: MemoryBudget = ZOOKEEPER_BUDGET): number | undefined {
  const memMib = memTotalKib / 1024;
  let best: number | undefined;
  for (let h = MIN_HEAP_MIB; h <= MAX_HEAP_MIB && memoryNeedMib(h, b) <= memMib; h += HEAP_STEP_MIB) best = h;
  return best;
}

/**
 * Default heap from the host's memory. A ~1 GB host (EC2 free tier) gets 400m, as in the seed notes;
 * bigger hosts a quarter of their memory in 256m steps, between 512m and 5g. Never more than fits
 * (a 512 MiB host gets less); when not even the minimum fits, the minimum, which the heap step refuses.
 * Unknown memory (0: the probe could not read it) keeps the old default and is not checked.
 */
export function defaultHeapMib(memTotalKib: number, b: MemoryBudget = ZOOKEEPER_BUDGET): number {
  const memMib = memTotalKib / 1024;
  const quarter = Math.floor(memMib / 4 / 256) * 256;
  const sized = memMib < 1800 ? 400 : Math.min(MAX_HEAP_MIB, Math.max(512, quarter));
  if (memTotalKib <= 0) return sized;
  return Math.min(sized, largestFittingHeapMib(memTotalKib, b) ?? MIN_HEAP_MIB);
}

/** `973 MiB`, `1.8 GiB`: memory as people read it. */
export function formatMemory(mib: number): string {
  return mib < 1024 ? `${Math.round(mib)} MiB` : `${(mib / 1024).toFixed(1)} GiB`;
}

/**
 * Why this broker heap does not fit the host's memory, with the figures; undefined when it fits.
 * `auto`: the heap was sized here (then it is only refused when not even the minimum fits).
 */
export function heapFitProblem(
  brokerMib: number,
  host: { memKib: number; swapKib: number },
  how: 'explicit' | 'auto',
  b: MemoryBudget = ZOOKEEPER_BUDGET,
): { problem: string; hint: string } | undefined {
  // Unknown memory: nothing to check against (the probe reports 0 when /proc/meminfo is unreadable).
  if (host.memKib <= 0) return undefined;
  const need = memoryNeedMib(brokerMib, b);
  const memMib = host.memKib / 1024;
  if (need <= memMib) return undefined;
  const swap =
    host.swapKib > 0
      ? ` and ${formatMemory(host.swapKib / 1024)} of swap (not counted: a JVM whose heap is swapped out stalls)`
      : ' and no swap';
  const what = how === 'auto' ? `even the smallest heap, ${formatHeap(brokerMib)},` : `the heap ${formatHeap(brokerMib)}`;
  const besides = b.residentBesides.map(([name, mib]) => `, ${name} (~${mib} MiB)`).join('');
  const problem =
    `${what} does not fit this host: the broker (${formatHeap(brokerMib)} of heap plus ~${b.brokerOverheadMib} MiB of JVM overhead)${besides} ` +
    `and the system (~${SYSTEM_RESERVE_MIB} MiB) need about ${formatMemory(need)}, ` +
    `and the host has ${formatMemory(memMib)} of memory${swap}`;
  const fits = largestFittingHeapMib(host.memKib, b);
  const bigger = 'an instance type with at least 1 GiB of memory (a t2.micro or larger)';
  if (fits === undefined) return { problem, hint: `use ${bigger}; nothing was changed` };
  return {
    problem,
    hint: `use --heap ${formatHeap(fits)} or less (--heap auto picks ${formatHeap(defaultHeapMib(host.memKib, b))} here, and is saved in the profile), or a larger instance type; nothing was changed`,
  };
}

/** `-Xmx400m -Xms400m`, the value of KAFKA_HEAP_OPTS. */
export function heapOpts(mib: number): string {
  const h = formatHeap(mib);
  return `-Xmx${h} -Xms${h}`;
}

/** The -Xmx of a JVM command line in MiB, if any (the last one wins, as in the JVM). */
export function xmxOf(args: string): number | undefined {
  const all = [...args.matchAll(/(?:^|\s)-Xmx([0-9]+[kKmMgG]?)(?=\s|$)/g)];
  const last = all.at(-1)?.[1];
  if (last === undefined) return undefined;
  const m = /^([0-9]+)([kKmMgG]?)$/.exec(last)!;
  const n = Number(m[1]);
  switch (m[2]!.toLowerCase()) {
    case 'g':
      return n * 1024;
    case 'm':
      return n;
    case 'k':
      return n / 1024;
    default:
      return n / (1024 * 1024);
  }
}
