// The addresses of the blog's ways in: tags, categories, archives, search. One module for the build
// that writes the pages, the import that points the old blog's addresses at them, and the tests.

/** FNV-1a, 32 bits: a short, stable name for a term whose name has no Latin letter or digit. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * The slug of a tag or category name: accents dropped, lower case, anything else a hyphen
 * ("Réseaux sociaux" → "reseaux-sociaux"). Names that differ only by case, accents or punctuation
 * are one term. A name with no Latin letter or digit ("Ελλάδα") gets "t-" and a hash of the name.
 */
export function termSlug(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .replace(/[æ]/g, "ae")
    .replace(/[œ]/g, "oe")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return slug || `t-${fnv1a(name.trim().toLowerCase())}`;
}

export type TermKind = "tags" | "categories";

/** `/tags/<slug>/`, `/categories/<slug>/`, page N ≥ 2 at `…/page/N/`. */
export function termPath(kind: TermKind, name: string, page = 1): string {
  const base = `/${kind}/${termSlug(name)}/`;
  return page <= 1 ? base : `${base}page/${page}/`;
}

/** The Atom feed of a tag or category. */
export const termFeedPath = (kind: TermKind, name: string): string => `/${kind}/${termSlug(name)}/feed.xml`;

/** The index of all tags or all categories, with their counts. */
export const termIndexPath = (kind: TermKind): string => `/${kind}/`;

/** `/archives/`, `/archives/2008/`, `/archives/2008/03/`, page N ≥ 2 at `…/page/N/`. */
export function archivePath(year?: number, month?: number, page = 1): string {
  let base = "/archives/";
  if (year !== undefined) base += `${year}/`;
  if (year !== undefined && month !== undefined) base += `${String(month).padStart(2, "0")}/`;
  return page <= 1 ? base : `${base}page/${page}/`;
}

/** The search page, answered by the Worker. */
export const SEARCH_PATH = "/search";

/** The site-wide feed of the latest approved comments, answered by the Worker. */
export const COMMENTS_FEED_PATH = "/comments.xml";

/**
 * The page of billet that shows a comment's thread: its post's page, or for another site's page
 * (a thread key, `~` and hex: workers/store/thread-key.ts) billet's page of that thread.
 */
export const threadPagePath = (slug: string): string => (slug.startsWith("~") ? `/threads/${slug}/` : `/posts/${slug}/`);
