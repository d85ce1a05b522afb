/**
 * The targets of a page's links, read from HTML nobody vouches for, without a DOM. Only real `<a>`
 * tags count, as a browser would see them: not text in comments or in raw-text elements (script,
 * style, title, textarea…), not another attribute, not the link text. A value is returned as written
 * (entities are not decoded); the first href of a tag wins, as in browsers. One pass, linear in the
 * page's length whatever it holds, where a backtracking regex over hostile input need not be.
 */

/** Elements whose content is text, never tags (HTML's raw-text and RCDATA elements, and noscript). */
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);

const TAG_NAME = /<([A-Za-z][^\s/>]*)/y;
const ATTR_NAME = /[^\s/>][^\s/>=]*/y;
const UNQUOTED = /[^\s>]*/y;
const SPACE = /\s*/y;

interface Tag {
  name: string;
  href: string | undefined;
  end: number;
}

/** Every `<a href>` target of the page, in order. */
export function linkTargets(html: string): string[] {
  const out: string[] = [];
  for (let i = html.indexOf('<'); i !== -1; i = html.indexOf('<', i)) {
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      if (end === -1) break; // an unclosed comment runs to the end of the page
      i = end + 3;
      continue;
    }
    const tag = readTag(html, i);
    if (tag === 'eof') break; // a tag left open runs to the end of the page, as in browsers
    if (!tag) {
      i += 1;
      continue;
    }
    if (tag.name === 'a' && tag.href !== undefined) out.push(tag.href);
    i = tag.end;
    if (RAW_TEXT.has(tag.name)) {
      const close = new RegExp(`</${tag.name}[\\s/>]`, 'gi');
      close.lastIndex = i;
      if (!close.exec(html)) break; // unclosed: the rest of the page is its text
      i = close.lastIndex;
    }
  }
  return out;
}

function match(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** The start tag at `start`: its name and first href; undefined if none starts there, 'eof' if it never ends. */
function readTag(html: string, start: number): Tag | undefined | 'eof' {
  TAG_NAME.lastIndex = start;
  const m = TAG_NAME.exec(html);
  if (!m) return undefined;
  const name = m[1]!.toLowerCase();
  let href: string | undefined;
  let p = start + m[0].length;
  for (;;) {
    p += match(SPACE, html, p)!.length;
    while (html[p] === '/') p += 1 + match(SPACE, html, p + 1)!.length;
    if (p >= html.length) return 'eof';
    if (html[p] === '>') return { name, href, end: p + 1 };
    const attr = match(ATTR_NAME, html, p)!;
    p += attr.length;
    p += match(SPACE, html, p)!.length;
    let value = '';
    if (html[p] === '=') {
      p += 1 + match(SPACE, html, p + 1)!.length;
      const quote = html[p];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, p + 1);
        if (close === -1) return 'eof';
        value = html.slice(p + 1, close);
        p = close + 1;
      } else {
        value = match(UNQUOTED, html, p)!;
        p += value.length;
      }
    }
    if (attr.toLowerCase() === 'href' && href === undefined) href = value;
  }
}
