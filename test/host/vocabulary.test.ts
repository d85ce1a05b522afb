import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANY_KEY, VOCABULARY } from '../../src/host/vocabulary.js';
import { type Emitted, emittedVocabulary, REMOTE_TEMPLATES } from './emitted-vocabulary.js';

const declared = new Map<string, readonly string[]>(Object.entries(VOCABULARY));

/** Sections and keys printed but not declared. */
function undeclared(emitted: Emitted): string[] {
  const out: string[] = [];
  for (const [section, keys] of emitted) {
    const known = declared.get(section);
    if (!known) {
      out.push(`section ${section}`);
      continue;
    }
    for (const key of keys) if (!known.includes(key) && !known.includes(ANY_KEY)) out.push(`${section}.${key}`);
  }
  return out;
}

describe('the section vocabulary: shell and TypeScript agree', () => {
  const emitted = emittedVocabulary();

  it('every section and key the scripts print is declared', () => {
    expect(undeclared(emitted)).toEqual([]);
  });

  it('every declared section and key is printed by some script', () => {
    const text = readdirSync(REMOTE_TEMPLATES)
      .map((f) => readFileSync(join(REMOTE_TEMPLATES, f), 'utf8'))
      .join('\n');
    const unused: string[] = [];
    for (const [section, keys] of declared) {
      if (!emitted.has(section)) unused.push(`section ${section}`);
      // os keys are grep'd from /etc/os-release, not printed with ks_kv: their names still appear.
      for (const key of keys)
        if (key !== ANY_KEY && !emitted.get(section)?.has(key) && !(section === 'os' && text.includes(key)))
          unused.push(`${section}.${key}`);
    }
    expect(unused).toEqual([]);
  });

  it('a key printed into a section that does not declare it is caught, also after an error branch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ks-vocab-'));
    try {
      writeFileSync(
        join(dir, 'x.sh'),
        [
          'ks_section download',
          'if false; then',
          '  ks_section error',
          '  ks_kv kind checksum_mismatch',
          '  exit 1',
          'fi',
          'ks_kv actual "$a"',
          '# emits: host',
          "ks_helper() { printf 'colour=%s\\n' blue; }",
          'ks_section sha256',
        ].join('\n'),
      );
      expect(undeclared(emittedVocabulary(dir))).toEqual(['download.actual', 'host.colour', 'section sha256']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
