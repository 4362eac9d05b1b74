// The search page's results section: the form with the reader's words, the results with their
// matched words marked, and the pages. The build writes the page around an empty section
// (scripts/templates.ts); the Worker fills it in (workers/routes/search.ts).
import { MARK_END, MARK_START, MAX_PAGE, type SearchHit } from "../db/search-query.ts";
import { escapeHtml, formatDateTime } from "./html.ts";
import { stringsFor } from "./strings.ts";

/** The id of the section the Worker fills in. */
export const SEARCH_SECTION_ID = "search-results";
/** The search page's address (workers/render/addresses.ts's SEARCH_PATH) and the reader's words' field. */
export const SEARCH_ADDRESS = "/search";
export const QUERY_FIELD = "q";

/**
 * Text from the index with its matched words between the private-use marks: escaped, then the marks
 * turned into <mark>. Marks are paired as they come (one a reader typed cannot open a second mark
 * or leave one open), so the HTML is always well formed.
 */
export function markedHtml(text: string): string {
  let open = false;
  let out = "";
  for (const part of text.split(/([\uE000\uE001])/)) {
    if (part === MARK_START) {
      if (!open) out += "<mark>";
      open = true;
    } else if (part === MARK_END) {
      if (open) out += "</mark>";
      open = false;
    } else out += escapeHtml(part);
  }
  return open ? `${out}</mark>` : out;
}

export const searchPageUrl = (query: string, page: number) =>
  `${SEARCH_ADDRESS}?${new URLSearchParams(page > 1 ? { [QUERY_FIELD]: query, page: String(page) } : { [QUERY_FIELD]: query })}`;

/** Where a hit leads: the post, or the comment on its page of comments. */
export function hitUrl(hit: SearchHit): string {
  if (hit.kind === "post") return hit.url;
  return `${hit.url}${hit.page > 1 ? `?page=${hit.page}` : ""}#comment-${hit.id}`;
}

/** The page's <title>: the reader's words, when there are some. */
export function searchTitle(lang: string, query: string): string {
  const s = stringsFor(lang).search;
  return query ? s.resultsFor(query) : s.title;
}

export interface SearchSection {
  lang: string;
  timeZone: string;
  /** What the reader typed (shown back in the field, escaped). */
  query: string;
  /** A notice above the results (nothing to search, cut, too many searches…). */
  notices?: string[];
  /** Null when nothing was searched. */
  results: { hits: SearchHit[]; total: number; page: number; perPage: number } | null;
}

function form(lang: string, query: string): string {
  const s = stringsFor(lang).search;
  return `<search><form class="search-form" method="get" action="${SEARCH_ADDRESS}">
<label for="search-q">${escapeHtml(s.label)}</label>
<input id="search-q" type="search" name="${QUERY_FIELD}" value="${escapeHtml(query)}" maxlength="500" aria-describedby="search-hint" enterkeyhint="search">
<button type="submit">${escapeHtml(s.submit)}</button>
<p id="search-hint" class="search-hint">${escapeHtml(s.hint)}</p>
</form></search>`;
}

function hitHtml(hit: SearchHit, lang: string, timeZone: string): string {
  const s = stringsFor(lang).search;
  const href = escapeHtml(hitUrl(hit));
  if (hit.kind === "post") {
    return `<li class="search-hit search-hit--post"><h2><a href="${href}">${markedHtml(hit.title)}</a></h2>
<p class="search-snippet">${markedHtml(hit.snippet)}</p></li>`;
  }
  const when = new Date(hit.createdAt).toISOString();
  return `<li class="search-hit search-hit--comment"><h2><a href="${href}">${escapeHtml(s.commentBy(hit.authorName, hit.postTitle))}</a></h2>
<p class="post-meta"><time datetime="${when}">${escapeHtml(formatDateTime(hit.createdAt, lang, timeZone))}</time></p>
<p class="search-snippet">${markedHtml(hit.snippet)}</p></li>`;
}

/** The inside of the results section. */
export function renderSearchSection(input: SearchSection): string {
  const s = stringsFor(input.lang).search;
  const parts = [`<h1 id="search-title">${escapeHtml(searchTitle(input.lang, input.query))}</h1>`, form(input.lang, input.query)];
  const notices = input.notices ?? [];
  if (notices.length) parts.push(...notices.map((n) => `<p class="search-notice" role="status">${escapeHtml(n)}</p>`));
  const r = input.results;
  if (r) {
    // Deeper pages than MAX_PAGE are not offered (refine the words instead).
    const pageCount = Math.min(MAX_PAGE, Math.max(1, Math.ceil(r.total / r.perPage)));
    parts.push(`<p class="search-count" role="status">${escapeHtml(s.count(r.total))}</p>`);
    if (r.hits.length) {
      const start = (r.page - 1) * r.perPage + 1;
      parts.push(
        `<ol class="search-hits"${start > 1 ? ` start="${start}"` : ""} aria-label="${escapeHtml(s.results)}">\n${r.hits.map((h) => hitHtml(h, input.lang, input.timeZone)).join("\n")}\n</ol>`,
      );
    } else if (r.total > 0) parts.push(`<p>${escapeHtml(s.noneOnPage)}</p>`);
    if (pageCount > 1) {
      const links = [
        r.page > 1 ? `<a href="${escapeHtml(searchPageUrl(input.query, Math.min(r.page - 1, pageCount)))}" rel="prev">${escapeHtml(s.previous)}</a>` : "",
        `<span class="pagination-current">${escapeHtml(s.pageOf(Math.min(r.page, pageCount), pageCount))}</span>`,
        r.page < pageCount ? `<a href="${escapeHtml(searchPageUrl(input.query, r.page + 1))}" rel="next">${escapeHtml(s.next)}</a>` : "",
      ].filter(Boolean);
      parts.push(`<nav class="pagination" aria-label="${escapeHtml(s.pages)}"><p>${links.join(" · ")}</p></nav>`);
    }
  }
  return parts.join("\n");
}
