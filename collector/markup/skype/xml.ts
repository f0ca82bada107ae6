/**
 * Skype message markup as the adapters meet it: the few fields an import needs from a body
 * (attachments, the quoted message, who did thread activity, edit markers, main.db's file lists)
 * and the markup main.db adapter writes its own lines in. Both Skype sources read bodies here;
 * rendering parses them whole (parse.ts).
 *
 * The readers pick fields out by pattern instead of building a tree: they run on the import's hot
 * path, and only on bodies whose text already showed the tag (the callers test with indexOf).
 * Entities are XML's (numeric and the five named ones): a file name keeps `&nbsp;` as written.
 */

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's entities decoded; a numeric one outside Unicode stays as written. */
export function decodeXml(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi, (whole, dec: string, hex: string, name: string) => {
    if (dec || hex) {
      const cp = dec ? Number(dec) : parseInt(hex, 16);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return NAMED[name.toLowerCase()];
  });
}

/** Text for an element's content or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

const ATTR_RE = /([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The quoted attributes of a start tag's inside (`uri="…" doc_id='…'`): lower-case names, decoded values. */
export function xmlAttributes(source: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const m of source.matchAll(ATTR_RE)) out[m[1].toLowerCase()] = decodeXml(m[2] ?? m[3] ?? '');
  return out;
}

/** The attributes of the first `<quote …>` of a body, or null. */
export function quoteAttributes(body: string): Record<string, string> | null {
  const tag = /<quote\b([^>]*)>/.exec(body);
  return tag ? xmlAttributes(tag[1]) : null;
}

/** Who did a piece of thread activity (`<initiator>8:bob</initiator>`), or null. */
export function initiatorOf(body: string): string | null {
  const initiator = /<initiator>([^<]+)<\/initiator>/.exec(body);
  return initiator ? decodeXml(initiator[1]) : null;
}

/** When an `<e_m a="bob" ts_ms="…"/>` edit marker says the message was edited, or null. */
export function editMarkerTime(body: string): number | null {
  const marker = /<e_m\b[^>]*?\bts_ms="(\d+)"/.exec(body);
  return marker ? Number(marker[1]) : null;
}

/** Whether nothing but edit markers (and white space) is left: what a deletion leaves of a text. */
export function onlyEditMarkers(body: string): boolean {
  return body.replace(/<e_m\b[^>]*\/>|<e_m\b[^>]*>[\s\S]*?<\/e_m>/g, '').trim() === '';
}

/** A shared file as `<URIObject uri="…/objects/<AMS id>" …><OriginalName v="…"/><FileSize v="…"/></URIObject>` gives it. */
export interface UriObject {
  attrs: Record<string, string>;
  /** `<OriginalName v>`, decoded, or null. */
  originalName: string | null;
  /** `<FileSize v>`, decoded, or null. */
  fileSize: string | null;
}

const URIOBJECT_RE = /<URIObject\b([^>]*?)(?:\/>|>([\s\S]*?)<\/URIObject>)/gi;

/** Every `<URIObject>` of a body, in order. */
export function uriObjects(body: string): UriObject[] {
  const out: UriObject[] = [];
  for (const m of body.matchAll(URIOBJECT_RE)) {
    const inner = m[2] ?? '';
    const originalName = /<OriginalName\b[^>]*?\bv\s*=\s*"([^"]*)"/i.exec(inner);
    const fileSize = /<FileSize\b[^>]*?\bv\s*=\s*"([^"]*)"/i.exec(inner);
    out.push({
      attrs: xmlAttributes(m[1]),
      originalName: originalName ? decodeXml(originalName[1]) : null,
      fileSize: fileSize ? decodeXml(fileSize[1]) : null,
    });
  }
  return out;
}

/** A file of a main.db `<files>` list. */
export interface ListedFile {
  name: string;
  size: number | null;
  index: number | null;
}

/** `<files><file size="…" index="…">name</file></files>` → the files it names. */
export function listedFiles(body: string): ListedFile[] {
  const files: ListedFile[] = [];
  if (body.indexOf('<file') < 0) return files;
  for (const m of body.matchAll(/<file\b([^>]*)>([^<]*)<\/file>/gi)) {
    const name = decodeXml(m[2]).trim();
    if (!name) continue;
    const size = Number(/\bsize="(\d+)"/.exec(m[1])?.[1]);
    const index = Number(/\bindex="(\d+)"/.exec(m[1])?.[1]);
    files.push({ name, size: Number.isFinite(size) && size > 0 ? size : null, index: Number.isFinite(index) ? index : null });
  }
  return files;
}

/** A call's `<partlist>` with its type (started/ended) set when it lacks one, or null when the body has none. */
export function typedPartlist(body: string, type: string): string | null {
  if (!/<partlist\b/i.test(body)) return null;
  return /<partlist\b[^>]*\btype=/i.test(body) ? body : body.replace(/<partlist\b/i, `<partlist type="${type}"`);
}

/**
 * A person in a line an adapter writes: `<ccperson id="…">name</ccperson>`, which the converter
 * (index.ts) shows as a reference the site resolves to a name, a pseudonym or nothing.
 */
export function personXml(skypename: string, name: string | null): string {
  return `<ccperson id="${escapeXml(skypename)}">${escapeXml(name ?? skypename)}</ccperson>`;
}
