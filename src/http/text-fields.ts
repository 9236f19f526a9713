import { z } from 'zod';

// NUL and other control characters (tab and line breaks aside) have no place in a title, and
// PostgreSQL refuses NUL outright: refuse them here with a 400 rather than fail at the database.
// (\p{Cc} is C0, DEL and C1; tab, line feed, carriage return and the C1 range are let through.)
const CONTROL_CHARACTERS = /(?![\t\n\r\u0080-\u009f])\p{Cc}/u;

/** A one-line name or title: trimmed, 1 to `max` characters. */
export const nameField = (max = 200) =>
  z
    .string({ error: 'This field is required.' })
    .trim()
    .min(1, 'This field is required.')
    .max(max, `At most ${max} characters.`)
    .refine((value) => !CONTROL_CHARACTERS.test(value) && !/[\r\n\t]/.test(value), 'Control characters are not allowed.');

/** Free text (line breaks allowed): trimmed, at most `max` characters. */
export const textField = (max = 5000) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters.`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'Control characters are not allowed.');
