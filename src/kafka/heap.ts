/** JVM heap sizes as Kafka's scripts take them (`-Xmx400m`), in MiB internally. */

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
  if (mib === undefined) return `"${value}" is not a heap size; use a number with m or g, e.g. 400m or 1g`;
  if (mib > MAX_HEAP_MIB) return `${value} is above 5g; Kafka brokers should not get more than 5g of heap`;
  if (mib < MIN_HEAP_MIB) return `${value} is below ${MIN_HEAP_MIB}m; the broker will not start with so little`;
  return undefined;
}

/** Canonical spelling: whole gigabytes as `Ng`, the rest as `Nm`. */
export function formatHeap(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}g` : `${mib}m`;
}

/**
 * Default heap from the host's memory. A ~1 GB host (EC2 free tier) gets 400m, as in the seed notes;
 * bigger hosts a quarter of their memory in 256m steps, between 512m and 5g.
 */
export function defaultHeapMib(memTotalKib: number): number {
  const memMib = memTotalKib / 1024;
  if (memMib < 1800) return 400;
  const quarter = Math.floor(memMib / 4 / 256) * 256;
  return Math.min(MAX_HEAP_MIB, Math.max(512, quarter));
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
    case 'g': return n * 1024;
    case 'm': return n;
    case 'k': return n / 1024;
    default: return n / (1024 * 1024);
  }
}
