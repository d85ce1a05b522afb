/**
 * Quoting for values that reach a remote POSIX shell. Every value goes through `quote`; nothing is
 * interpolated into a script any other way.
 */

/** Single-quote a value for a POSIX shell: the only character to care about inside '' is ' itself. */
export function quote(value: string): string {
  if (value.includes('\0')) throw new Error('NUL byte in a shell value');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

const NAME = /^[A-Z][A-Z0-9_]*$/;

/** `NAME='value'` lines that set script variables; names are ours, values are quoted. */
export function assignments(vars: Record<string, string | number>): string {
  return Object.entries(vars)
    .map(([name, value]) => {
      if (!NAME.test(name)) throw new Error(`bad shell variable name ${name}`);
      return `${name}=${quote(String(value))}`;
    })
    .join('\n');
}
