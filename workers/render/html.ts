// Escaping for text and attribute values placed into HTML we write ourselves.
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
// Dates as shown, by language, zone and minute: a page rendered again after a change shows the
// same comments, and formatting a date in a time zone is the costliest part of a comment.
const formatted = new Map<string, string>();
const FORMATTED_MAX = 20_000;

/** "12 mars 2008 à 10:15" / "March 12, 2008 at 10:15 AM", in the site's time zone. */
export function formatDateTime(ms: number, lang: string, timeZone: string): string {
  const key = `${lang}|${timeZone}`;
  const minute = `${key}|${Math.floor(ms / 60_000)}`;
  const known = formatted.get(minute);
  if (known !== undefined) return known;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short", timeZone });
    formatters.set(key, f);
  }
  const text = firstOfMonth(f.format(new Date(ms)), lang);
  if (formatted.size >= FORMATTED_MAX) formatted.clear();
  formatted.set(minute, text);
  return text;
}

/**
 * French typography: the first day of a month is "1er" ("1er janvier 2026"), which Intl does not
 * write. Only a lone 1 before the month's name (not 11, 21 or 31).
 */
export function firstOfMonth(date: string, lang: string): string {
  return lang.toLowerCase().startsWith("fr") ? date.replace(/(^|[^\d])1(?=[ \u00a0\u202f]\p{L})/u, "$11er") : date;
}
