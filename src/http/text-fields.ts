import { z } from 'zod';

// NUL and other control characters (tab and line breaks aside) have no place in a title, and
// PostgreSQL refuses NUL outright: refuse them here with a 400 rather than fail at the database.
// (\p{Cc} is C0, DEL and C1; tab, line feed, carriage return and the C1 range are let through.)
const CONTROL_CHARACTERS = /(?![\t\n\r\u0080-\u009f])\p{Cc}/u;

// The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder the
// text around them: "photo\u202Egpj.exe" reads as "photoexe.jpg". Refused in names; free text
// keeps them, since right-to-left writing may need them and it is never a name or a file name.
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/u;

// What a file name must not carry: control characters (C0, DEL, C1), the bidi controls above and
// the invisible direction marks (U+200E, U+200F, U+061C).
const UNSAFE_IN_FILE_NAMES = /[\p{Cc}\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/gu;

/** A one-line name or title: trimmed, 1 to `max` characters. */
export const nameField = (max = 200) =>
  z
    .string({ error: 'This field is required.' })
    .trim()
    .min(1, 'This field is required.')
    .max(max, `At most ${max} characters.`)
    .refine(
      (value) => !CONTROL_CHARACTERS.test(value) && !/[\r\n\t]/.test(value),
      'Control characters are not allowed.',
    )
    .refine(
      (value) => !BIDI_CONTROLS.test(value),
      'Bidirectional control characters (U+202A–U+202E, U+2066–U+2069) are not allowed: they make a name read as something else.',
    );

/** Free text (line breaks allowed): trimmed, at most `max` characters. */
export const textField = (max = 5000) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters.`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'Control characters are not allowed.');

/**
 * Text made fit for a file name: control characters become spaces, bidi controls and direction
 * marks go (names stored before they were refused may still hold them).
 */
export function withoutUnsafeCharacters(text: string): string {
  return text.replace(UNSAFE_IN_FILE_NAMES, (character) => (/\p{Cc}/u.test(character) ? ' ' : ''));
}
