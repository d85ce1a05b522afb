import { describe, expect, it } from 'vitest';
import { linkTargets } from '../src/html-links.js';

describe('link targets of a page', () => {
  it('reads href in any case and quoting, with spaces around =, the first one of a tag', () => {
    const page = `<A HREF="a/">x</A> <a href='b/'>x</a> <a href = c/ >x</a> <a\nhref\n=\n"d/">x</a> <a href="e/" href="f/">x</a> <a/href="g/">x</a>`;
    expect(linkTargets(page)).toEqual(['a/', 'b/', 'c/', 'd/', 'e/', 'g/']);
  });

  it('ignores other attributes, the link text, other tags and end tags', () => {
    const page = `<a title="4.7.0/" data-href="4.6.0/">4.8.0/</a> <link href="4.5.0/"> <abbr href="4.4.0/"> </a href="4.3.0/"> <img alt='<a href="4.2.0/">'>`;
    expect(linkTargets(page)).toEqual([]);
  });

  it('takes a > inside a quoted value as part of the value', () => {
    expect(linkTargets('<a title="a > b" href="1.0.0/">x</a>')).toEqual(['1.0.0/']);
  });

  it('ignores comments, and script, style, title and textarea content', () => {
    const page = [
      '<!-- <a href="c/"> -->',
      '<script type="x">var s = \'<a href="s/">\';</script>',
      '<STYLE>a[href="t/"]{}</STYLE >',
      '<title><a href="ti/"></title>',
      '<textarea><a href="ta/"></textarea>',
      '<a href="real/">real</a>',
    ].join('\n');
    expect(linkTargets(page)).toEqual(['real/']);
  });

  it('a comment, raw-text element or tag left open hides the rest of the page, as in a browser', () => {
    expect(linkTargets('<a href="1/"> <!-- <a href="2/">')).toEqual(['1/']);
    expect(linkTargets('<a href="1/"> <script> <a href="2/">')).toEqual(['1/']);
    expect(linkTargets('<a href="1/"> <a title="x> <a href="2/">')).toEqual(['1/']);
    expect(linkTargets('<a href="1/"> <a href="2/"')).toEqual(['1/']);
  });

  it('returns values as written: entities are not decoded', () => {
    expect(linkTargets('<a href="4&#46;4&#46;0/">x</a>')).toEqual(['4&#46;4&#46;0/']);
  });

  it('stays linear on pages built to make a parser backtrack', () => {
    const started = Date.now();
    for (const unit of ['<a x="', '<a ', '<!--', '<a href=', '<', '<script>', "<a x='<a "]) {
      linkTargets(unit.repeat(Math.ceil((2 * 1024 * 1024) / unit.length)));
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
