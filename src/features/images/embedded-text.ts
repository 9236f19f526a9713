/**
 * The words a photo carries about itself (IPTC and XMP): keywords, a title, a description, made
 * fit to store. What a file says is never trusted: control and bidi characters go, lengths are cut.
 */
export type EmbeddedText = {
  /** IPTC Keywords and XMP dc:subject, in file order, each once (case-insensitive), at most MAX_KEYWORDS. */
  keywords: string[];
  /** XMP dc:title, else IPTC Object Name; one line, at most 200 characters. */
  title: string | null;
  /** XMP dc:description, else IPTC Caption/Abstract; at most 5000 characters. */
  description: string | null;
};

export const NO_TEXT: EmbeddedText = { keywords: [], title: null, description: null };

export const MAX_KEYWORDS = 100;
export const MAX_KEYWORD_LENGTH = 100;
const MAX_TITLE = 200;
const MAX_DESCRIPTION = 5000;

// C0, DEL, C1 and the bidi embeddings, overrides and isolates: what makes a line read as something else.
const UNSAFE_IN_A_LINE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;
// In free text, line breaks and tabs stay.
const UNSAFE_IN_TEXT = /(?![\t\n\r])[\p{Cc}]/gu;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's character references (`&amp;`, `&#233;`, `&#xE9;`), which the XMP parser leaves as they are. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/gi, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** IPTC text comes as Latin-1 bytes; most writers put UTF-8 there (CodedCharacterSet ESC % G). */
function fromIptc(value: string): string {
  const bytes = Buffer.from(value, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return value;
  }
}

/** The strings in an XMP value: a plain value, `{ lang, value }` of an rdf:Alt, or a list of them. */
function xmpStrings(value: unknown): string[] {
  if (typeof value === 'string') return [decodeEntities(value)];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(xmpStrings);
  if (value && typeof value === 'object' && 'value' in value) return xmpStrings(value.value);
  return [];
}

/** The x-default entry of an rdf:Alt (language alternatives), else its first. */
function xmpAlternative(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    const preferred = items.find(
      (item) => item !== null && typeof item === 'object' && 'lang' in item && item.lang === 'x-default',
    );
    return xmpStrings(preferred ?? items[0])[0];
  }
  return xmpStrings(value)[0];
}

const iptcStrings = (value: unknown): string[] =>
  typeof value === 'string' ? [fromIptc(value)] : Array.isArray(value) ? value.flatMap(iptcStrings) : [];

function line(text: string | undefined, max: number): string | null {
  const cleaned = text?.replace(UNSAFE_IN_A_LINE, ' ').replace(/\s+/g, ' ').trim().slice(0, max).trim();
  return cleaned ? cleaned : null;
}

function freeText(text: string | undefined): string | null {
  const cleaned = text?.replace(UNSAFE_IN_TEXT, '').trim().slice(0, MAX_DESCRIPTION).trim();
  return cleaned ? cleaned : null;
}

function keywordsOf(candidates: string[]): string[] {
  const seen = new Set<string>();
  const keywords: string[] = [];
  for (const candidate of candidates) {
    // A keyword list written as one string ("beach; sunset") is split as Lightroom and exiftool write it.
    for (const part of candidate.split(/[;\n]/)) {
      const keyword = line(part, MAX_KEYWORD_LENGTH);
      if (!keyword || seen.has(keyword.toLowerCase())) continue;
      seen.add(keyword.toLowerCase());
      keywords.push(keyword);
      if (keywords.length === MAX_KEYWORDS) return keywords;
    }
  }
  return keywords;
}

/** IPTC datasets by number (exifr's raw keys) and XMP's dc namespace, as exifr gives them. */
export function embeddedText(iptc: Record<string, unknown> | undefined, dc: Record<string, unknown> | undefined) {
  const text: EmbeddedText = {
    keywords: keywordsOf([...iptcStrings(iptc?.[25]), ...xmpStrings(dc?.subject)]),
    title: line(xmpAlternative(dc?.title), MAX_TITLE) ?? line(iptcStrings(iptc?.[5])[0], MAX_TITLE),
    description: freeText(xmpAlternative(dc?.description)) ?? freeText(iptcStrings(iptc?.[120])[0]),
  };
  return text;
}
