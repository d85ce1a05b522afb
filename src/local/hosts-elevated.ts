/**
 * The hosts-file writer, run as root by sudo when this user may not write the file:
 * `node hosts-elevated.js PATH EXPECTED_SHA256 CONTENT_FILE`. It is the same code as the unprivileged
 * write (replaceHostsFile), so root compares the file with what was read and creates its temporary
 * and backup files exclusively too. It answers on stdout, one marked JSON line, and never prints the
 * file's content.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { RESULT_MARKER, replaceHostsFile } from './hosts-write.js';

async function main(argv: string[]): Promise<number> {
  const [path, expectedSha, contentFile] = argv;
  if (!path || !expectedSha || !contentFile || argv.length !== 3) {
    process.stderr.write('usage: hosts-elevated PATH EXPECTED_SHA256 CONTENT_FILE (run by kafka-setup hosts)\n');
    return 2;
  }
  try {
    const r = await replaceHostsFile(path, await readFile(contentFile), expectedSha);
    process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ ok: true, path: r.path, backup: r.backup ?? null, inPlace: r.inPlace })}\n`);
    return 0;
  } catch (err) {
    const e =
      err instanceof UserError
        ? err
        : new UserError(`could not write ${path} as root: ${(err as Error).message}`, { hint: `${path} was left as it was` });
    process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ ok: false, message: e.message, ...(e.hint ? { hint: e.hint } : {}) })}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
