// Escaping for text and attribute values placed into HTML we write ourselves.
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "12 mars 2008 à 10:15" / "March 12, 2008 at 10:15 AM", in the site's time zone. */
export function formatDateTime(ms: number, lang: string, timeZone: string): string {
  const key = `${lang}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short", timeZone });
    formatters.set(key, f);
  }
  return f.format(new Date(ms));
}
