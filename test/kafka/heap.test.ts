import { describe, expect, it } from 'vitest';
import {
  defaultHeapMib,
  formatHeap,
  heapFitProblem,
  heapOpts,
  heapProblem,
  largestFittingHeapMib,
  parseHeap,
  xmxOf,
} from '../../src/kafka/heap.js';
import { BLOCK_END, BLOCK_START, withHeapBlock as edit, heapBlock } from '../../src/kafka/heap-block.js';

function withHeapBlock(text: string, block: string): string {
  const r = edit(text, block);
  if (!r.ok) throw new Error(r.problem);
  return r.text;
}

describe('heap sizes', () => {
  it('parses m and g sizes and refuses the rest', () => {
    expect(parseHeap('400m')).toBe(400);
    expect(parseHeap('1G')).toBe(1024);
    expect(parseHeap('lots')).toBeUndefined();
    expect(parseHeap('1.5g')).toBeUndefined();
    expect(parseHeap('-1g')).toBeUndefined();
  });

  it('explains what is wrong', () => {
    expect(heapProblem('lots')).toMatch(/not a heap size/);
    expect(heapProblem('900g')).toMatch(/above 5g/);
    expect(heapProblem('64m')).toMatch(/below/);
    expect(heapProblem('5g')).toBeUndefined();
  });

  it('sizes the default from memory: 400m on a 1 GB host, never above 5g', () => {
    expect(defaultHeapMib(1_000_000)).toBe(400); // t2.micro reports ~980 MiB
    expect(defaultHeapMib(2 * 1024 * 1024)).toBe(512);
    expect(defaultHeapMib(8 * 1024 * 1024)).toBe(2048);
    expect(defaultHeapMib(256 * 1024 * 1024)).toBe(5120);
  });

  it('formats and reads JVM options', () => {
    expect(formatHeap(400)).toBe('400m');
    expect(formatHeap(2048)).toBe('2g');
    expect(heapOpts(400)).toBe('-Xmx400m -Xms400m');
    expect(xmxOf('kafka.Kafka /x -Xmx1G -Xms1G -Xmx400m')).toBe(400);
    expect(xmxOf('-Xms1G')).toBeUndefined();
  });
});

describe('the memory budget (faked MemTotal)', () => {
  const MIB = 1024;
  const micro = { memKib: 973 * MIB, swapKib: 0 }; // a t2.micro's MemTotal
  const half = { memKib: 512 * MIB, swapKib: 0 };
  const big = { memKib: 16 * 1024 * MIB, swapKib: 0 };

  it('1 GiB: 1g and 512m are refused with the figures and the size that fits', () => {
    const p = heapFitProblem(1024, micro, 'explicit')!;
    expect(p.problem).toBe(
      'the heap 1g does not fit this host: the broker (1g of heap plus ~160 MiB of JVM overhead), ZooKeeper (~128 MiB) ' +
        'and the system (~192 MiB) need about 1.5 GiB, and the host has 973 MiB of memory and no swap',
    );
    expect(p.hint).toBe(
      'use --heap 480m or less (--heap auto picks 400m here, and is saved in the profile), or a larger instance type; nothing was changed',
    );
    expect(heapFitProblem(512, micro, 'explicit')!.problem).toMatch(
      /^the heap 512m does not fit this host: .* need about 992 MiB, and the host has 973 MiB/,
    );
  });

  it("1 GiB: the seed notes' 400m fits, and auto picks it", () => {
    expect(heapFitProblem(400, micro, 'explicit')).toBeUndefined();
    expect(defaultHeapMib(micro.memKib)).toBe(400);
    expect(largestFittingHeapMib(micro.memKib)).toBe(480);
  });

  it('0.5 GiB: auto refuses, since not even the smallest heap fits', () => {
    expect(largestFittingHeapMib(half.memKib)).toBeUndefined();
    const p = heapFitProblem(defaultHeapMib(half.memKib), half, 'auto')!;
    expect(p.problem).toMatch(
      /^even the smallest heap, 128m, does not fit this host: .* need about 608 MiB, and the host has 512 MiB of memory and no swap$/,
    );
    expect(p.hint).toMatch(/^use an instance type with at least 1 GiB of memory/);
  });

  it('a host between: auto shrinks to what fits', () => {
    const small = 700 * MIB;
    expect(defaultHeapMib(small)).toBe(208);
    expect(heapFitProblem(defaultHeapMib(small), { memKib: small, swapKib: 0 }, 'auto')).toBeUndefined();
  });

  it('16 GiB: 4g fits, and auto keeps a quarter of memory', () => {
    expect(heapFitProblem(4096, big, 'explicit')).toBeUndefined();
    expect(defaultHeapMib(big.memKib)).toBe(4096);
  });

  it('names swap without counting it, and checks nothing when memory is unknown', () => {
    expect(heapFitProblem(1024, { ...micro, swapKib: 2048 * MIB }, 'explicit')!.problem).toMatch(
      /973 MiB of memory and 2.0 GiB of swap \(not counted/,
    );
    expect(heapFitProblem(5120, { memKib: 0, swapKib: 0 }, 'explicit')).toBeUndefined();
  });
});

describe('the ~/.bashrc block', () => {
  const debianBashrc = '# ~/.bashrc\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\nalias ll="ls -l"\n';
  const block = heapBlock('-Xmx400m -Xms400m');

  it('is appended once, at the end, and a second run changes nothing', () => {
    const once = withHeapBlock(debianBashrc, block);
    expect(once.startsWith(debianBashrc)).toBe(true);
    expect(once.endsWith(`${BLOCK_END}\n`)).toBe(true);
    expect(once).toContain('export KAFKA_HEAP_OPTS="-Xmx400m -Xms400m"');
    expect(withHeapBlock(once, block)).toBe(once);
  });

  it('is replaced, never duplicated, when the heap changes', () => {
    const once = withHeapBlock(debianBashrc, block);
    const changed = withHeapBlock(once, heapBlock('-Xmx1g -Xms1g'));
    expect(changed.split(BLOCK_START).length).toBe(2);
    expect(changed).toContain('-Xmx1g');
    expect(changed).not.toContain('-Xmx400m');
    expect(changed.startsWith(debianBashrc)).toBe(true);
  });

  it('moves below a hand-written export so the chosen heap wins', () => {
    const once = withHeapBlock(debianBashrc, block);
    const edited = `${once}export KAFKA_HEAP_OPTS="-Xmx2g -Xms2g"\n`;
    const fixed = withHeapBlock(edited, block);
    expect(fixed.indexOf('-Xmx2g')).toBeLessThan(fixed.indexOf(BLOCK_START));
    expect(fixed.endsWith(`${BLOCK_END}\n`)).toBe(true);
    expect(withHeapBlock(fixed, block)).toBe(fixed);
  });

  it('creates a file that did not exist', () => {
    expect(withHeapBlock('', block)).toBe(block);
  });

  describe('never costs a line that is not ours', () => {
    const once = withHeapBlock(debianBashrc, block);
    const userTail = 'export GITHUB_TOKEN=ghp_secret\nalias k=kubectl\n';
    const refused = (text: string): string => {
      const r = edit(text, block);
      if (r.ok) throw new Error('expected a refusal');
      expect(r.hint).toMatch(/nothing was changed/);
      return r.problem;
    };

    it('refuses a start marker without its end marker (today: everything after it was deleted)', () => {
      const damaged = `${debianBashrc}\n${BLOCK_START}\nexport KAFKA_HEAP_OPTS="-Xmx1g -Xms1g"\n${userTail}`;
      expect(refused(damaged)).toMatch(/line 8 starts a kafka-setup block that never ends/);
    });

    it('refuses an end marker without a start, and a start inside a block', () => {
      expect(refused(`${debianBashrc}${BLOCK_END}\n${userTail}`)).toMatch(/line 7 ends a kafka-setup block that never started/);
      expect(refused(`${BLOCK_START}\n${BLOCK_START}\n${BLOCK_END}\n`)).toMatch(/never ends \(another starts at line 2\)/);
    });

    it('refuses a block with a hand-written line inside', () => {
      const edited = once.replace('export KAFKA_HEAP_OPTS', 'export JAVA_HOME=/opt/jdk\nexport KAFKA_HEAP_OPTS');
      expect(refused(edited)).toMatch(/line 10, inside the kafka-setup block, was not written by kafka-setup/);
      expect(refused(once.replace('export KAFKA_HEAP_OPTS="-Xmx400m -Xms400m"', 'export KAFKA_HEAP_OPTS="$(cat /secret)"'))).toMatch(
        /was not written/,
      );
    });

    it('repairs duplicated blocks that are all ours into one, keeping every other line', () => {
      const twice = `${once}${userTail}\n${heapBlock('-Xmx1g -Xms1g')}# after\n`;
      const fixed = withHeapBlock(twice, block);
      expect(fixed.split(BLOCK_START)).toHaveLength(2);
      expect(fixed).toContain(userTail);
      expect(fixed).toContain('# after\n');
      expect(fixed.startsWith(debianBashrc)).toBe(true);
      expect(fixed.endsWith(block)).toBe(true);
    });

    it("keeps CRLF lines and the user's lines around a block with trailing spaces", () => {
      const crlf = `a\r\n${BLOCK_START}  \r\n${heapBlock('-Xmx1g -Xms1g').split('\n').slice(1).join('\r\n')}b\r\n`;
      const fixed = withHeapBlock(crlf, block);
      expect(fixed).toContain('a\r\n');
      expect(fixed).toContain('b\r\n');
      expect(fixed.split(BLOCK_START)).toHaveLength(2);
    });
  });
});
