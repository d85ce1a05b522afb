/**
 * One declaration per option: its flag, help, default, validation, prompt and profile key, written
 * once. The command line (help included), the resolver and the saved profile are all derived from
 * these tables, so adding an option is adding a declaration.
 */
import { UsageError } from '../errors.js';
import { type Resolver, resolveField } from './resolve.js';
import type { Problem } from './validate.js';

/** Where an option is kept in the saved profile. */
export interface Saved<K extends string = string> {
  key: K;
  /** Kept as a JSON number (the option's value is a number). */
  number?: true;
  /** Older profiles may lack it: loading does not require it. */
  optional?: true;
  /** What a damaged value should have been, for the warning (default: "a string" / "a number"). */
  what?: string;
  /** Not written while it is the (string) default: a profile of an earlier version is not rewritten for it. */
  unlessDefault?: true;
}

interface Common<F extends string> {
  /** Commander's spelling: '--install-dir <path>', '-y, --yes', '--no-roundtrip'. */
  flag: F;
  /** What the option is; the help adds "(default: …)" from the declaration's default. */
  help: string;
}

/**
 * A value: its flag, then the saved profile, then a prompt, then its default (see resolveField).
 * E is what the default (or the profile's applicability) reads of the options resolved before it.
 */
export interface ValueDecl<F extends string = string, T = unknown, E = never> extends Common<F> {
  kind: 'value';
  /** A constant (shown in the help as it is), or one computed from the options resolved before it. */
  default?: string | ((earlier: E) => string);
  /** How the help states a default that is computed, or what happens without one. */
  shown?: string;
  /** Said after a constant default in the help: "(default: auto, <note>)". */
  note?: string;
  validate: (v: string) => Problem;
  /** A slower look at a prompt's answer (e.g. that a file exists); a problem asks the question again. */
  checkAnswer?: (v: string) => Promise<Problem>;
  /** On a terminal, a value from flag or profile is checked here before the next question is asked in vain. */
  checkGiven?: (v: string) => Promise<unknown>;
  prompt?: string;
  missingHint?: string;
  /** Without a value or default it is undefined rather than an error. */
  optional?: true;
  /** Whether the saved value applies (e.g. a checksum only to the version it was saved for). */
  savedApplies?: (profile: Readonly<Record<string, unknown>>, earlier: E) => boolean;
  parse: (v: string) => T;
  saved?: Saved;
}

/** A repeatable flag: all its values, else the profile's list, else the default list. */
export interface ListDecl<F extends string = string> extends Common<F> {
  kind: 'list';
  default: readonly string[];
  validate: (v: string) => Problem;
  parse: (v: string) => string;
  saved?: Saved;
}

/** A boolean flag; `--no-x` is true unless given. */
export interface SwitchDecl<F extends string = string> extends Common<F> {
  kind: 'switch';
  /** Help of the hidden positive form, added before `--no-x` so that the default is not `true`. */
  hiddenPositive?: string;
  /** The value when it is not simply the flag (e.g. interactive: the flag, else whether stdin is a terminal). */
  from?: (flag: boolean | undefined, r: Resolver) => boolean;
}

export type Decl = ValueDecl<string, unknown, never> | ListDecl | SwitchDecl;
export type Table = Readonly<Record<string, Decl>>;

// `const`: the flag's spelling and the profile key stay literal types, from which the flags, options
// and profile types are derived.
export const value = <const D extends Omit<ValueDecl, 'kind'>>(d: D): D & { kind: 'value' } => ({ kind: 'value', ...d });
export const list = <const D extends Omit<ListDecl, 'kind'>>(d: D): D & { kind: 'list' } => ({ kind: 'list', ...d });
export const toggle = <const D extends Omit<SwitchDecl, 'kind'>>(d: D): D & { kind: 'switch' } => ({ kind: 'switch', ...d });

// Commander's attribute for a flag: '--known-hosts <path>' → knownHosts, '--no-roundtrip' → roundtrip.
type Camel<S extends string> = S extends `${infer H}-${infer R}` ? `${H}${Capitalize<Camel<R>>}` : S;
type LongName<F extends string> = F extends `${string}--${infer R}` ? (R extends `${infer N} ${string}` ? N : R) : never;
export type AttrOf<F extends string> = LongName<F> extends `no-${infer N}` ? Camel<N> : Camel<LongName<F>>;

export function attrOf(flag: string): string {
  const long = /--([A-Za-z0-9-]+)/.exec(flag)?.[1] ?? '';
  return long.replace(/^no-/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The long flag without dashes or argument, as errors name it: 'install-dir'. */
export function longName(d: Decl): string {
  return /--([A-Za-z0-9-]+)/.exec(d.flag)?.[1] ?? '';
}

type InputOf<D> = D extends { kind: 'value' } ? string : D extends { kind: 'list' } ? string[] : boolean;
type OutputOf<D> = D extends { kind: 'value'; parse: (v: string) => infer T }
  ? D extends { optional: true }
    ? T | undefined
    : T
  : D extends { kind: 'list' }
    ? string[]
    : boolean;

/** What commander hands over for a table: strings as typed, nothing defaulted (defaults come last). */
export type FlagsOf<T extends Table> = { -readonly [K in keyof T as AttrOf<T[K]['flag']>]?: InputOf<T[K]> };
/** The resolved values of a table, under the table's keys. */
export type Resolved<T extends Table> = { -readonly [K in keyof T]: OutputOf<T[K]> };

type SavedOf<D> = D extends { saved: Saved<infer S> } ? S : never;
type RequiredSaved<T extends Table> = {
  -readonly [K in keyof T as T[K] extends { saved: { optional: true } } ? never : SavedOf<T[K]>]: OutputOf<T[K]>;
};
type OptionalSaved<T extends Table> = {
  -readonly [K in keyof T as T[K] extends { saved: { optional: true } } ? SavedOf<T[K]> : never]?: Exclude<OutputOf<T[K]>, undefined>;
};
/** The profile fields a table saves. */
export type SavedBy<T extends Table> = RequiredSaved<T> & OptionalSaved<T>;

/** The help line of an option: its text and the default derived from its declaration. */
export function helpOf(d: Decl): string {
  if (d.kind === 'switch') return d.help;
  const shown =
    d.kind === 'list'
      ? d.default.join(', ')
      : (d.shown ?? (typeof d.default === 'string' ? d.default + (d.note ? `, ${d.note}` : '') : undefined));
  return shown === undefined ? d.help : `${d.help} (default: ${shown})`;
}

function savedText(
  d: ValueDecl<string, unknown, never>,
  profile: Readonly<Record<string, unknown>> | undefined,
  earlier: Readonly<Record<string, unknown>>,
): string | undefined {
  if (!d.saved || !profile) return undefined;
  const v = profile[d.saved.key];
  if (v === undefined || (d.savedApplies && !d.savedApplies(profile, earlier as never))) return undefined;
  return typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined;
}

/**
 * Resolves every option of a table, in its order: each default may read the values resolved before
 * it (`earlier` starts with what the caller resolved already, e.g. the connection).
 */
export async function resolveDeclared<T extends Table>(
  table: T,
  flags: FlagsOf<T>,
  profile: Readonly<Record<string, unknown>> | undefined,
  r: Resolver,
  earlier: Readonly<Record<string, unknown>> = {},
): Promise<Resolved<T>> {
  const given = flags as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  const sofar = (): Readonly<Record<string, unknown>> => ({ ...earlier, ...out });
  for (const [name, d] of Object.entries(table)) {
    const flag = given[attrOf(d.flag)];
    if (d.kind === 'switch') {
      const f = typeof flag === 'boolean' ? flag : undefined;
      out[name] = d.from ? d.from(f, r) : d.flag.includes('--no-') ? f !== false : f === true;
    } else if (d.kind === 'list') {
      const fromFlag = Array.isArray(flag) && flag.length > 0 ? (flag as string[]) : undefined;
      const fromProfile = d.saved ? profile?.[d.saved.key] : undefined;
      const values = fromFlag ?? (Array.isArray(fromProfile) ? (fromProfile as string[]) : [...d.default]);
      for (const v of values) {
        const p = d.validate(v);
        if (p) throw new UsageError(`--${longName(d)}: ${p}`);
      }
      out[name] = values.map(d.parse);
    } else {
      const text = typeof flag === 'string' ? flag : undefined;
      const fromProfile = savedText(d, profile, sofar());
      const dflt = typeof d.default === 'function' ? d.default(sofar() as never) : d.default;
      if (d.optional && text === undefined && fromProfile === undefined && dflt === undefined) {
        out[name] = undefined;
        continue;
      }
      const v = await resolveField(r, {
        flag: longName(d),
        value: text,
        fromProfile,
        validate: d.validate,
        default: dflt,
        prompt: d.prompt,
        checkAnswer: d.checkAnswer,
        missingHint: d.missingHint,
      });
      if (d.checkGiven && r.interactive && (text !== undefined || fromProfile !== undefined)) await d.checkGiven(v);
      out[name] = d.parse(v);
    }
  }
  return out as Resolved<T>;
}

/** The profile fields of resolved options, in the table's order (unset optional ones left out). */
export function savedValues<T extends Table>(table: T, options: Resolved<T>): SavedBy<T> {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(table)) {
    const v = (options as Record<string, unknown>)[name];
    if (d.kind !== 'switch' && d.saved && v !== undefined && !(d.saved.unlessDefault && v === d.default)) out[d.saved.key] = v;
  }
  return out as SavedBy<T>;
}

/**
 * Every profile field the tables save, with how it is kept and its flag's validation: a saved value
 * is held to the same rule as the flag it stands for (a list: each of its values).
 */
export function savedFields(...tables: Table[]): Array<Saved & { list: boolean; validate: (v: string) => Problem }> {
  return tables.flatMap((t) =>
    Object.values(t).flatMap((d) =>
      d.kind !== 'switch' && d.saved ? [{ ...d.saved, list: d.kind === 'list', validate: d.validate }] : [],
    ),
  );
}
