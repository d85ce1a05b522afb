/**
 * The wire format of remote scripts (assembled in src/host/script.ts): a script's text and its
 * marker go to the host; its findings come back as sections (`::ks:<nonce>:: NAME` then lines),
 * which `parseSections` reads back. One section belongs to the framing itself: `error`, which any
 * script may print to fail (Session.run turns it into a RemoteFailure); its keys are declared with
 * the others in src/host/vocabulary.ts.
 */

export interface RemoteScript {
  /** Short name for logs, e.g. `probe` or `download`. */
  name: string;
  text: string;
  /** The variables as passed (printed only when named in `shown`: some carry file contents). */
  vars: Record<string, string>;
  /** Variables known to hold paths, addresses and settings, which --verbose may show. */
  shown: readonly string[];
  /**
   * This script's section marker, with a nonce nobody else can print: the user's login shell may
   * print anything before our output (a chatty ~/.bashrc), even without a newline or looking like
   * our own sections.
   */
  mark: string;
}

export type Sections = Map<string, string[]>;

/** The marker of hand-written section text (tests, fixtures); real scripts carry a nonce. */
export const PLAIN_MARK = '::ks::';

/**
 * The sections after `mark`. Whatever precedes the first marker — on its own lines or glued to the
 * marker's line — is not ours and is ignored.
 */
export function parseSections(stdout: string, mark: string = PLAIN_MARK): Sections {
  const sections: Sections = new Map();
  const header = `${mark} `;
  let current: string[] | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const at = line.indexOf(header);
    if (at >= 0) {
      // A section named again resumes: a script's progress lines may come between its section's lines.
      const name = line.slice(at + header.length).trim();
      current = sections.get(name) ?? [];
      sections.set(name, current);
    } else if (current && line !== '') {
      current.push(line);
    }
  }
  return sections;
}

/** `key=value` lines of a section (the first `=` splits). */
export function keyValues(lines: readonly string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines ?? []) {
    const i = line.indexOf('=');
    if (i > 0) map.set(line.slice(0, i), line.slice(i + 1));
  }
  return map;
}
