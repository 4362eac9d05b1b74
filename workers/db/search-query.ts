// What a search asks and finds, without the database: the reader's words turned into a safe FTS5
// expression, the bounds, and the shape of a result (its matched words between private-use marks).
// The statement itself is in search.ts.

/** What a reader may ask: longer text is cut, further words are left out (the page says so). */
export const MAX_QUERY_LENGTH = 200;
export const MAX_TERMS = 8;
/** Results on a page, and the last page a reader may ask for (deeper pages rank too many rows). */
export const RESULTS_PER_PAGE = 10;
export const MAX_PAGE = 50;

/** Private-use characters around the matched words in snippets: turned into <mark> once escaped. */
export const MARK_START = "\uE000";
export const MARK_END = "\uE001";

export interface ParsedQuery {
  /** The FTS5 expression: every term quoted, joined by AND; "" when nothing searchable was typed. */
  match: string;
  /** The terms searched, as the reader typed them (phrases without their quotes). */
  terms: string[];
  /** Whether words or characters were left out (too long, too many words). */
  truncated: boolean;
}

// A term needs a letter or a digit: the index holds nothing else.
const WORDY = /[\p{L}\p{N}]/u;
// A prefix query on a single letter would match most of the index.
const PREFIX_MIN = 2;

/**
 * The reader's text as an FTS5 expression that can never be a syntax error: "quoted phrases" stay
 * phrases, a word ending in * is a prefix, everything else is a plain word; each is quoted (so
 * NEAR, AND, OR, NOT, ^, :, -, parentheses are only text) and all of them must match.
 */
export function parseQuery(raw: string): ParsedQuery {
  // Lone surrogates become U+FFFD; control characters are spaces.
  let text = raw.toWellFormed().replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, " ");
  let truncated = false;
  if (text.length > MAX_QUERY_LENGTH) {
    text = text.slice(0, MAX_QUERY_LENGTH).toWellFormed();
    truncated = true;
  }
  const terms: { text: string; prefix: boolean }[] = [];
  // A quoted phrase (its closing quote may be missing), or a run of anything but spaces and quotes.
  for (const m of text.matchAll(/"([^"]*)"?(\*?)|([^\s"]+)/g)) {
    const phrase = m[1] !== undefined;
    let term = (phrase ? m[1] : m[3]).trim();
    let prefix = phrase ? m[2] === "*" : false;
    if (!phrase && term.endsWith("*")) {
      term = term.replace(/\*+$/, "");
      prefix = true;
    }
    if (!WORDY.test(term)) continue;
    // The last word of the term must be long enough to be a useful prefix.
    const last =
      term
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean)
        .at(-1) ?? "";
    if (prefix && [...last].length < PREFIX_MIN) prefix = false;
    if (terms.some((t) => t.text.toLowerCase() === term.toLowerCase() && t.prefix === prefix)) continue;
    if (terms.length === MAX_TERMS) {
      truncated = true;
      break;
    }
    terms.push({ text: term, prefix });
  }
  const match = terms.map((t) => `"${t.text.replace(/"/g, '""')}"${t.prefix ? "*" : ""}`).join(" AND ");
  return { match, terms: terms.map((t) => (t.prefix ? `${t.text}*` : t.text)), truncated };
}

export interface PostHit {
  kind: "post";
  slug: string;
  url: string;
  /** Title and snippet with the matched words between MARK_START and MARK_END, not escaped. */
  title: string;
  snippet: string;
}
export interface CommentHit {
  kind: "comment";
  id: number;
  slug: string;
  /** The post's address and title (the slug's when the post is not in the index). */
  url: string;
  postTitle: string;
  authorName: string;
  createdAt: number;
  snippet: string;
  /** The page of comments the comment is on (threads numbered as the post page does). */
  page: number;
}
export type SearchHit = PostHit | CommentHit;
