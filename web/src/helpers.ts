// Small functions that more than one screen or component uses: reading a form, and the way sizes,
// dates, counts and image names are written everywhere in the app.

/** A text field of a form ('' when absent; a file field is not text). */
export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A date and time in the reader's own locale; `never` for none. */
export function formatDateTime(iso: string | null | undefined, never = 'never'): string {
  return iso ? new Date(iso).toLocaleString() : never;
}

/** A day in the reader's own locale; `never` for none. */
export function formatDate(iso: string | null | undefined, never = 'never'): string {
  return iso ? new Date(iso).toLocaleDateString() : never;
}

/** "1 image", "2 images". */
export function countOf(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

/** What an image is called on screen: its title, or its number when it has none. */
export function imageName(image: { id: number; title: string }): string {
  return image.title || `Image ${image.id}`;
}

/** A day in the reader's language: "May 1, 2026", "01.05.2026". */
export function formatDay(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(date);
}
