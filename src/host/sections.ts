/**
 * Reading the sections a remote script printed, through the declared vocabulary: a key that is not
 * declared does not compile, and a section an operation needs but did not get is an error, never a
 * default.
 */
import type { Sections } from '../remote/script.js';
import type { KeyOf, SectionName } from './vocabulary.js';

/** A script did not print what its operation needs: a bug in kafka-setup or a broken host shell. */
export class ProtocolError extends Error {
  constructor(script: string, missing: string) {
    super(`the ${script} script on the host printed no ${missing} section (is /bin/sh a POSIX shell?)`);
  }
}

export interface SectionReader<S extends SectionName> {
  /** The last `key=value` line's value. */
  get(key: KeyOf<S>): string | undefined;
  /** Every value of the key, in order (keys printed on several lines: tried=, java=, dir= …). */
  all(key: KeyOf<S>): string[];
  number(key: KeyOf<S>): number | undefined;
}

function reader<S extends SectionName>(lines: readonly string[]): SectionReader<S> {
  const values = (key: string): string[] => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  return {
    get: (key) => values(key).at(-1),
    all: values,
    number(key) {
      const v = values(key).at(-1);
      const n = v === undefined || v.trim() === '' ? Number.NaN : Number(v);
      return Number.isFinite(n) ? n : undefined;
    },
  };
}

/** `file <name>` sections carry an instance name after the section name. */
function fullName(name: SectionName, instance: string | undefined): string {
  return instance === undefined ? name : `${name} ${instance}`;
}

export function section<S extends SectionName>(sections: Sections, name: S, instance?: string): SectionReader<S> | undefined {
  const lines = sections.get(fullName(name, instance));
  return lines ? reader<S>(lines) : undefined;
}

export function requireSection<S extends SectionName>(sections: Sections, script: string, name: S, instance?: string): SectionReader<S> {
  const r = section(sections, name, instance);
  if (!r) throw new ProtocolError(script, fullName(name, instance));
  return r;
}
