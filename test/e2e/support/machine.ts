/** The packages the suite needs (scripts/e2e-machine.mjs), checked by both global setups before anything starts. */
import { installCommand, missingPackages } from '../../../scripts/e2e-machine.mjs';

/**
 * Where the suite can run, a package it needs and lacks stops it before any test, naming the command
 * that installs it (npm test has run that already: this is `npx vitest run` on a new machine).
 */
export function lacking(): Error | undefined {
  const missing = missingPackages();
  if (missing.length === 0) return undefined;
  return new Error(
    `the e2e suite needs packages this machine lacks: ${missing.join(' ')}.\n` +
      `Install them with \`node scripts/e2e-machine.mjs install\` (${installCommand(missing)}), or run \`npm test\`, which does.`,
  );
}
