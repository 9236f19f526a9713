import { z } from 'zod';

/** The most tags one image carries, and the longest a tag's name may be (in characters). */
export const MAX_TAGS_PER_IMAGE = 50;
export const MAX_TAG_LENGTH = 64;

// Control characters (C0, DEL, C1, tab and line breaks included) and the bidirectional controls
// that make a name read as something else have no place in a tag.
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

/**
 * A tag's name as it is stored and compared: Unicode NFC, trimmed, each run of white space one
 * space, in lower case. "  Sunset   Beach " and "sunset beach" are the same tag.
 */
export function normaliseTag(raw: string): string {
  return raw.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/** Why `raw` cannot be a tag, or null when its normal form can. */
export function tagProblem(raw: string): string | null {
  if (UNSAFE.test(raw)) return 'A tag may not contain control characters.';
  const name = normaliseTag(raw);
  if (name.length === 0) return 'A tag may not be empty.';
  if ([...name].length > MAX_TAG_LENGTH) return `A tag has at most ${MAX_TAG_LENGTH} characters.`;
  return null;
}

/** Names from a file's keywords that make valid tags, normalised, each once, the first `max` of them. */
export function tagsFromKeywords(keywords: readonly string[], max = MAX_TAGS_PER_IMAGE): string[] {
  const names = keywords.filter((keyword) => tagProblem(keyword) === null).map(normaliseTag);
  return [...new Set(names)].slice(0, max);
}

/** One tag in a request: refused when it cannot be one, otherwise its normal form. */
export const tagField = z
  .string({ error: 'A tag is a string.' })
  .transform((raw, ctx) => {
    const problem = tagProblem(raw);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    return problem ? z.NEVER : normaliseTag(raw);
  })
  .meta({
    description: `A tag: stored in Unicode NFC, trimmed, inner white space as one space, in lower case; 1-${MAX_TAG_LENGTH} characters, no control characters`,
  });

/** Several tags in a request: each once after normalisation (duplicates are dropped). */
export const tagList = (min: number) =>
  z
    .array(tagField)
    .min(min, min === 1 ? 'Send at least one tag.' : undefined)
    .max(MAX_TAGS_PER_IMAGE, `An image has at most ${MAX_TAGS_PER_IMAGE} tags.`)
    .transform((names) => [...new Set(names)]);
