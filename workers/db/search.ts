// Every search query: the one statement that finds, ranks and pages posts and approved comments
// together in one full-text index (migrations/0010_search.sql). The reader's words are made safe
// first (search-query.ts).
import { MARK_END, MARK_START, RESULTS_PER_PAGE, type SearchHit } from "./search-query.ts";

// Column weights: a word of the title counts far more than one of the tags, then the summary,
// then the text (a comment's text is a body too).
const RANK = "bm25(search_index, 10.0, 6.0, 3.0, 1.0)";
const SNIPPET_WORDS = 24;
const marks = `'${MARK_START}', '${MARK_END}'`;

/**
 * One statement: the index ranks its matches and keeps the page's (posts have negative ids,
 * comments their own), and only those rows get their snippet, their post, and for a comment the
 * number of threads before its own (its page of comments).
 * ?1 the MATCH expression, ?2 page size, ?3 offset.
 */
const SEARCH_SQL = `WITH hits AS MATERIALIZED (
  SELECT rowid AS doc, ${RANK} AS score FROM search_index WHERE search_index MATCH ?1 ORDER BY score, rowid LIMIT ?2 OFFSET ?3)
SELECT hits.doc, highlight(search_index, 0, ${marks}) AS title, snippet(search_index, 3, ${marks}, '…', ${SNIPPET_WORDS}) AS snippet,
  coalesce(p.slug, c.post_slug) AS slug, coalesce(p.url, cp.url) AS url, cp.title AS post_title, c.author_name, c.created_at,
  CASE WHEN c.id IS NULL THEN NULL ELSE
    (SELECT count(DISTINCT o.thread_id) FROM comments o WHERE o.post_slug = c.post_slug AND o.status = 'approved' AND o.thread_id < c.thread_id) END AS threads_before
FROM hits CROSS JOIN search_index ON search_index.rowid = hits.doc
LEFT JOIN search_post_texts p ON hits.doc < 0 AND p.id = hits.doc
LEFT JOIN comments c ON hits.doc > 0 AND c.id = hits.doc
LEFT JOIN search_post_texts cp ON cp.slug = c.post_slug
WHERE search_index MATCH ?1
ORDER BY hits.score, hits.doc`;

// How many matches in all (counting is cheap: nothing is ranked).
const COUNT_SQL = "SELECT count(*) AS n FROM search_index WHERE search_index MATCH ?1";

interface Row {
  doc: number;
  slug: string | null;
  url: string | null;
  title: string | null;
  post_title: string | null;
  snippet: string | null;
  author_name: string | null;
  created_at: number | null;
  threads_before: number | null;
}

/**
 * A page of results for a parsed query (its `match` not empty), best first, and how many there are
 * in all. `threadsPerPage` is the post page's (COMMENTS_PER_PAGE), to link a comment on its page.
 */
export async function search(
  d1: D1Database | D1DatabaseSession,
  match: string,
  opts: { page: number; perPage?: number; threadsPerPage: number },
): Promise<{ hits: SearchHit[]; total: number; sqlMs: number }> {
  const perPage = opts.perPage ?? RESULTS_PER_PAGE;
  const offset = (opts.page - 1) * perPage;
  // One round trip: the page and the count.
  const [page, count] = await d1.batch<Record<string, unknown>>([d1.prepare(SEARCH_SQL).bind(match, perPage, offset), d1.prepare(COUNT_SQL).bind(match)]);
  const results = page.results as unknown as Row[];
  const total = Number((count.results[0] as { n?: number } | undefined)?.n ?? 0);
  const hits = results.map((r): SearchHit => {
    const slug = r.slug ?? "";
    const url = r.url ?? `/posts/${slug}/`;
    if (r.doc < 0) return { kind: "post", slug, url, title: r.title ?? slug, snippet: r.snippet ?? "" };
    return {
      kind: "comment",
      id: r.doc,
      slug,
      url,
      postTitle: r.post_title ?? slug,
      authorName: r.author_name ?? "",
      createdAt: r.created_at ?? 0,
      snippet: r.snippet ?? "",
      page: 1 + Math.floor((r.threads_before ?? 0) / opts.threadsPerPage),
    };
  });
  const sqlMs = (page.meta?.duration ?? 0) + (count.meta?.duration ?? 0);
  return { hits, total, sqlMs };
}
