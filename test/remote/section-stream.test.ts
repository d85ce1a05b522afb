import { describe, expect, it } from 'vitest';
import { parseSections } from '../../src/remote/script.js';
import { sectionStreamer } from '../../src/remote/session.js';

const MARK = '::ks:0123abcd::';
const OUTPUT = [
  'greeting from a chatty ~/.bashrc',
  `${MARK} logfile broker`,
  'path=/k/logs/kafkaServer.out',
  'state=ok',
  `noise${MARK} tail`,
  'line=broker first',
  'line=broker ',
  'cut=broker long\r',
  'line=broker kind=x',
  `${MARK} error`,
  'kind=boom',
  'message=it failed',
  '',
].join('\n');

/** Feeds OUTPUT in chunks of `size`, collecting what is streamed. */
function feed(size: number, sections: string[]): { streamed: Array<[string, string]>; kept: string } {
  const streamed: Array<[string, string]> = [];
  const s = sectionStreamer(MARK, { sections, onLine: (section, line) => streamed.push([section, line]) });
  for (let i = 0; i < OUTPUT.length; i += size) s.write(OUTPUT.slice(i, i + size));
  return { streamed, kept: s.end() };
}

describe('streamed sections', () => {
  it.each([1, 3, 7, 1000])('hands over whole lines of the named sections as they come (chunks of %i), by name or first word', (size) => {
    const { streamed, kept } = feed(size, ['tail', 'logfile']);
    expect(streamed).toEqual([
      ['logfile broker', 'path=/k/logs/kafkaServer.out'],
      ['logfile broker', 'state=ok'],
      ['tail', 'line=broker first'],
      ['tail', 'line=broker '],
      ['tail', 'cut=broker long'],
      ['tail', 'line=broker kind=x'],
    ]);
    // What is not streamed is kept, and reads as it would have: the error section still fails the run.
    const sections = parseSections(kept, MARK);
    expect(sections.get('error')).toEqual(['kind=boom', 'message=it failed']);
    expect(sections.get('tail')).toEqual([]);
    expect(kept).not.toContain('line=broker');
  });

  it('keeps everything when no section is streamed, and a last line without newline is not lost', () => {
    const { streamed, kept } = feed(5, []);
    expect(streamed).toEqual([]);
    expect(parseSections(kept, MARK)).toEqual(parseSections(OUTPUT, MARK));
    const lines: string[] = [];
    const s = sectionStreamer(MARK, { sections: ['tail'], onLine: (_, l) => lines.push(l) });
    s.write(`${MARK} tail\nline=broker a\nline=broker b`);
    expect(lines).toEqual(['line=broker a']);
    s.end();
    expect(lines).toEqual(['line=broker a', 'line=broker b']);
  });
});
