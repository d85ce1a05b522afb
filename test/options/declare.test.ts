/** The declaration machinery on a table of its own: adding an option is adding a declaration. */
import { Option } from 'commander';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  attrOf,
  type FlagsOf,
  helpOf,
  list,
  type Resolved,
  resolveDeclared,
  type SavedBy,
  savedFields,
  savedValues,
  toggle,
  value,
} from '../../src/options/declare.js';
import type { Resolver } from '../../src/options/resolve.js';
import type { Prompter } from '../../src/prompts.js';

const colourProblem = (v: string): string | undefined => (/^[a-z]+$/.test(v) ? undefined : `"${v}" is not a colour`);

/** A made-up command's options: nothing about them is written anywhere else. */
const fake = {
  colour: value({
    flag: '--paint-colour <name>',
    help: 'colour of the paint',
    default: 'blue',
    validate: colourProblem,
    parse: String,
    prompt: 'Colour',
    saved: { key: 'paint' },
  }),
  coats: value({
    flag: '--coats <n>',
    help: 'how many coats',
    default: '2',
    validate: (v) => (/^[1-9]$/.test(v) ? undefined : 'not 1 to 9'),
    parse: Number,
    saved: { key: 'coats', number: true },
  }),
  // A default from the options before it.
  trim: value({
    flag: '--trim <name>',
    help: 'colour of the trim',
    default: (o: { colour: string }) => `dark${o.colour}`,
    shown: 'darker than --paint-colour',
    validate: colourProblem,
    parse: String,
  }),
  wall: value({ flag: '--wall <name>', help: 'which wall', validate: colourProblem, parse: String, missingHint: 'pass --wall NAME' }),
  note: value({
    flag: '--note <text>',
    help: 'a note',
    shown: 'none',
    optional: true,
    validate: () => undefined,
    parse: String,
    saved: { key: 'note', optional: true },
  }),
  brushes: list({
    flag: '--brush <kind>',
    help: 'brushes, repeatable',
    default: ['Flat', 'round'],
    validate: (v) => (/^[A-Za-z]+$/.test(v) ? undefined : `"${v}" is not a brush`),
    parse: (v: string) => v.toLowerCase(),
    saved: { key: 'brushes', optional: true },
  }),
  dryRun: toggle({ flag: '--dry-run', help: 'paint nothing' }),
  drip: toggle({ flag: '--no-drip', help: 'do not let it drip' }),
} as const;

const quiet: Resolver = { interactive: false, prompter: undefined };

function asking(answers: Record<string, string>): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    input: async (message, opts) => {
      asked.push(message);
      return answers[message] ?? opts?.default ?? '';
    },
    confirm: async () => true,
    secret: async () => '',
  };
}

describe('a declaration table', () => {
  it('derives the flags, options and profile types', () => {
    expectTypeOf<FlagsOf<typeof fake>>().toEqualTypeOf<{
      paintColour?: string;
      coats?: string;
      trim?: string;
      wall?: string;
      note?: string;
      brush?: string[];
      dryRun?: boolean;
      drip?: boolean;
    }>();
    expectTypeOf<Resolved<typeof fake>>().toEqualTypeOf<{
      colour: string;
      coats: number;
      trim: string;
      wall: string;
      note: string | undefined;
      brushes: string[];
      dryRun: boolean;
      drip: boolean;
    }>();
    expectTypeOf<SavedBy<typeof fake>>().toEqualTypeOf<{ paint: string; coats: number } & { note?: string; brushes?: string[] }>();
  });

  it('names the attribute as commander does', () => {
    for (const d of Object.values(fake)) expect(attrOf(d.flag)).toBe(new Option(d.flag).attributeName());
    for (const f of ['-y, --yes', '--known-hosts <path>', '--no-interactive', '--sha512 <hex>'])
      expect(attrOf(f)).toBe(new Option(f).attributeName());
  });

  it('writes the default into the help from the declaration', () => {
    expect(helpOf(fake.colour)).toBe('colour of the paint (default: blue)');
    expect(helpOf(fake.trim)).toBe('colour of the trim (default: darker than --paint-colour)');
    expect(helpOf(fake.wall)).toBe('which wall');
    expect(helpOf(fake.brushes)).toBe('brushes, repeatable (default: Flat, round)');
    expect(helpOf(fake.drip)).toBe('do not let it drip');
  });

  it("resolves flag, then profile, then default, each validated, in the table's order", async () => {
    const o = await resolveDeclared(fake, { wall: 'north' }, undefined, quiet);
    expect(o).toEqual({
      colour: 'blue',
      coats: 2,
      trim: 'darkblue',
      wall: 'north',
      note: undefined,
      brushes: ['flat', 'round'],
      dryRun: false,
      drip: true,
    });
    const saved = { paint: 'red', coats: 3, note: 'hi', brushes: ['wide'] };
    const p = await resolveDeclared(fake, { wall: 'north', coats: '4', drip: false, dryRun: true }, saved, quiet);
    expect(p).toEqual({
      colour: 'red',
      coats: 4,
      trim: 'darkred',
      wall: 'north',
      note: 'hi',
      brushes: ['wide'],
      dryRun: true,
      drip: false,
    });
    // A saved value that no longer validates is passed over.
    expect((await resolveDeclared(fake, { wall: 'north' }, { paint: 'RED!' }, quiet)).colour).toBe('blue');
  });

  it('refuses a bad flag, or a missing value without a default, naming the flag', async () => {
    await expect(resolveDeclared(fake, { wall: 'north', paintColour: 'Red' }, undefined, quiet)).rejects.toThrow(
      '--paint-colour: "Red" is not a colour',
    );
    await expect(resolveDeclared(fake, { wall: 'north', brush: ['ok', 'no!'] }, undefined, quiet)).rejects.toThrow(
      '--brush: "no!" is not a brush',
    );
    const err = await resolveDeclared(fake, {}, undefined, quiet).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe('missing --wall');
    expect((err as UsageError).hint).toMatch(/^pass --wall NAME; /);
  });

  it('asks on a terminal what has a prompt and no flag or saved value; --yes takes its default', async () => {
    const p = asking({ Colour: 'green' });
    const o = await resolveDeclared(fake, { wall: 'east' }, undefined, { interactive: true, prompter: p });
    expect(p.asked).toEqual(['Colour']);
    expect(o.trim).toBe('darkgreen');
    const y = asking({ Colour: 'green' });
    expect(
      (await resolveDeclared(fake, { wall: 'east' }, undefined, { interactive: true, prompter: y, acceptDefaults: true })).colour,
    ).toBe('blue');
    expect(y.asked).toEqual([]);
  });

  it('gives back what it saves, and lists how each saved field is kept', async () => {
    const o = await resolveDeclared(fake, { wall: 'north', paintColour: 'red', coats: '3', brush: ['Wide'] }, undefined, quiet);
    const saved = savedValues(fake, o);
    expect(saved).toEqual({ paint: 'red', coats: 3, brushes: ['wide'] });
    expect(await resolveDeclared(fake, { wall: 'north' }, saved, quiet)).toMatchObject({ colour: 'red', coats: 3, brushes: ['wide'] });
    expect(savedFields(fake).map((f) => [f.key, f.number === true, f.optional === true, f.list])).toEqual([
      ['paint', false, false, false],
      ['coats', true, false, false],
      ['note', false, true, false],
      ['brushes', false, true, true],
    ]);
  });
});
