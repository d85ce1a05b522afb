import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { assignments, quote } from '../../src/remote/shell.js';

const nasty = ["it's", '"double"', '$(touch /tmp/ks-pwned)', '`id`', 'a;b', 'line1\nline2', '\\', "'", '', '-n', '$HOME', '*'];

describe('shell quoting', () => {
  it('passes every value through dash and bash unchanged and runs nothing', () => {
    for (const shell of ['sh', 'bash']) {
      for (const v of nasty) {
        const out = execFileSync(shell, ['-c', `${assignments({ KS_V: v })}\nprintf '%s' "$KS_V"`], { encoding: 'utf8' });
        expect(out).toBe(v);
        expect(execFileSync(shell, ['-c', `printf '%s' ${quote(v)}`], { encoding: 'utf8' })).toBe(v);
      }
    }
  });

  it('refuses odd variable names and NUL bytes', () => {
    expect(() => assignments({ 'A;B': 'x' })).toThrow();
    expect(() => quote('a\0b')).toThrow();
  });
});
