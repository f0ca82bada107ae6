import { Feed } from 'feed';
import type { AtomFeed } from '../../site/render/atom.js';
import { stripInvalidChars } from '../../site/render/escape.js';

/**
 * The same Atom feed as site/render/atom.ts's writeAtom, written with the `feed` package: the
 * reference the bench times ours against (figure `feeds.write`) and test/site-feeds.test.ts reads
 * with feedparser beside ours.
 *
 * What `feed` needs first: XML-invalid characters stripped (it passes control characters through);
 * `&` pre-escaped in text and attribute values (its XML writer, xml-js, un-escapes "&amp;" before
 * escaping); titles HTML-escaped (it writes them as type="html"); absolute URLs (it parses each with
 * `new URL`). It has no xml:lang, and xml-js splits only the first `]]>` of a CDATA section.
 */
export function feedPackageAtom(feed: AtomFeed): string {
  const clean = stripInvalidChars;
  const amp = (s: string) => clean(s).replace(/&/g, '&amp;');
  let updated = 0;
  for (const e of feed.entries) updated = Math.max(updated, e.updated);
  const f = new Feed({
    id: feed.id,
    title: amp(feed.title),
    updated: new Date(updated),
    generator: 'chatchannels',
    link: feed.pageUrl,
    feedLinks: { atom: feed.selfUrl },
    author: { name: amp(feed.author) },
  });
  for (const e of feed.entries) {
    f.addItem({
      id: e.id,
      title: clean(e.title).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
      link: e.link,
      date: new Date(e.updated),
      published: new Date(e.published),
      author: e.author ? [{ name: amp(e.author) }] : undefined,
      content: clean(e.content),
    });
  }
  return f.atom1();
}
