import { describe, expect, it } from 'vitest';
import { defaultHeapMib, formatHeap, heapOpts, heapProblem, parseHeap, xmxOf } from '../../src/kafka/heap.js';
import { BLOCK_END, BLOCK_START, heapBlock, withHeapBlock } from '../../src/kafka/heap-block.js';

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
});
