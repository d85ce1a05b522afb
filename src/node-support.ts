/**
 * The Node.js versions kafka-setup runs on: package.json's `engines.node`, which is exactly what its
 * dependencies accept (test/package/engines.test.ts holds the two equal). src/cli.ts asks before it
 * loads anything else, so an older Node gets a message instead of a dependency's stack trace.
 * Written for any Node: nothing here may need a newer runtime than the one it turns away.
 */
export const SUPPORTED_NODE = '^22.13.0 || >=23.5.0';

/** Whether `version` ("22.13.0", "v24.1.0") is in SUPPORTED_NODE. */
export function nodeSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  if (major === 22) return minor >= 13;
  if (major === 23) return minor >= 5;
  return major >= 24;
}

/** What an unsupported Node is told (stderr, exit 1): what is wrong, then what to do. */
export function unsupportedNodeMessage(version: string): string {
  return (
    `error: kafka-setup needs Node.js 22.13 or newer; this is Node.js ${version.replace(/^v/, '')}\n` +
    'what to do: install a supported Node.js LTS (22, 24 or 26; https://nodejs.org/en/download), then run kafka-setup again\n'
  );
}
