// core (pure): the bounds on what goes into a routing record. Values come from the message (a header
// copied into a reason, an error text quoting one) and a sender controls their length; DynamoDB refuses
// an item over 400 KB, and a record that cannot be written cannot be marked failed either, so the
// message would cycle through retries, the DLQ and reconcile for ever.

/** Characters (UTF-16 code units) of one string kept in a record. */
export const MAX_RECORDED_TEXT = 1000;

/** Entries of one list kept in a record (SES takes 50 recipients; reasons are a few dozen at most). */
export const MAX_RECORDED_ITEMS = 50;

/**
 * The value with every string cut to MAX_RECORDED_TEXT characters (marked with `…`) and every list
 * to MAX_RECORDED_ITEMS entries, at any depth. At 3 bytes of UTF-8 per code unit at most, a string
 * takes 3 KB and a list 150 KB: a record (two lists, about twenty strings) stays under 400 KB.
 */
export function bounded<T>(value: T): T {
  if (typeof value === 'string') return boundText(value) as T;
  if (Array.isArray(value)) return value.slice(0, MAX_RECORDED_ITEMS).map(bounded) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, bounded(entry)])) as T;
  }
  return value;
}

/** The text cut to `max` characters, never inside a surrogate pair, ending in `…` when cut. */
export function boundText(text: string, max = MAX_RECORDED_TEXT): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
