// GET /search?q=…&page=N: the search page, answered without JavaScript. The build's page
// (public/search/index.html) with its results section filled in from D1's full-text index.
import { hashAddress } from "../auth/tokens.ts";
import { getConfig } from "../config.ts";
import { search } from "../db/search.ts";
import { MAX_PAGE, MAX_QUERY_LENGTH, MAX_TERMS, parseQuery, RESULTS_PER_PAGE } from "../db/search-query.ts";
import { escapeHtml } from "../render/html.ts";
import { QUERY_FIELD, renderSearchSection, SEARCH_ADDRESS, SEARCH_SECTION_ID, searchTitle, type SearchSection } from "../render/search.ts";
import { stringsFor } from "../render/strings.ts";
import site from "../../content/site.json";

/** How long a page of results may be kept by browsers and caches: a moderation shows within a minute. */
const MAX_AGE = 60;
/** The rate limiter's period (wrangler.toml): a reader stopped waits this long. */
const RATE_PERIOD_S = 10;

function pageNumber(url: URL): number | null {
  const raw = url.searchParams.get("page");
  if (raw === null || raw === "") return 1;
  return /^\d{1,4}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_PAGE ? Number(raw) : null;
}

async function allowed(request: Request, env: Env): Promise<boolean> {
  if (env.SEARCH_RATE_LIMIT === "off") return true;
  const client = await hashAddress(request, env).catch(() => null);
  const { success } = await env.SEARCH_RATE_LIMITER.limit({ key: `search|${client ?? "unknown"}` });
  return success;
}

/** The built page with the section, and the title, filled in. */
async function page(builtPage: Promise<string>, section: SearchSection): Promise<string> {
  const inner = renderSearchSection(section);
  const title = `${escapeHtml(searchTitle(section.lang, section.query))} · ${escapeHtml(site.title)}`;
  const built = await builtPage;
  const open = built.indexOf(`<section id="${SEARCH_SECTION_ID}"`);
  const start = open < 0 ? -1 : built.indexOf(">", open) + 1;
  const close = open < 0 ? -1 : built.indexOf("</section>", start);
  if (open < 0 || close < start) {
    // No built page (a build without it): the section alone, still a whole page.
    console.error("no search section in the built page");
    return `<!doctype html><html lang="${escapeHtml(section.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title><link rel="stylesheet" href="/billet.css"></head><body><main id="main"><section id="${SEARCH_SECTION_ID}">${inner}</section></main></body></html>`;
  }
  const head = built.slice(0, start).replace(/<title>[^<]*<\/title>/, () => `<title>${title}</title>`);
  return `${head}\n${inner}\n${built.slice(close)}`;
}

function answer(body: string, status: number, headers: Record<string, string>): Response {
  return new Response(body, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "X-Robots-Tag": "noindex", ...headers },
  });
}

/** GET /search (and /search/, sent there with its query). */
export async function searchRoute(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname !== SEARCH_ADDRESS) return Response.redirect(new URL(`${SEARCH_ADDRESS}${url.search}`, url).toString(), 301);
  const lang = site.lang;
  const s = stringsFor(lang).search;
  const query = (url.searchParams.get(QUERY_FIELD) ?? "").toWellFormed();
  const shown = query.length > 500 ? query.slice(0, 500).toWellFormed() : query;
  const base = { lang, timeZone: site.timezone, query: shown };
  const noStore = { "Cache-Control": "no-store" };
  // The built page is read while D1 searches.
  const built = env.ASSETS.fetch(new URL(`${SEARCH_ADDRESS}/`, url)).then(
    (res) => (res.ok ? res.text() : ""),
    () => "",
  );
  const pageNo = pageNumber(url);
  if (pageNo === null) return answer(await page(built, { ...base, notices: [s.badPage], results: null }), 400, noStore);

  const parsed = parseQuery(query);
  if (!parsed.match) {
    const notices = query.trim() ? [s.nothingSearchable] : [s.empty];
    return answer(await page(built, { ...base, notices, results: null }), 200, { "Cache-Control": `public, max-age=${MAX_AGE}` });
  }
  if (!(await allowed(request, env))) {
    return answer(await page(built, { ...base, notices: [s.rateLimited], results: null }), 429, { ...noStore, "Retry-After": String(RATE_PERIOD_S) });
  }
  const notices = parsed.truncated ? [s.truncated(MAX_TERMS, MAX_QUERY_LENGTH)] : [];
  let found: Awaited<ReturnType<typeof search>>;
  try {
    found = await search(env.DB, parsed.match, { page: pageNo, threadsPerPage: getConfig(env).commentsPerPage });
  } catch (err) {
    console.error("search unavailable", err instanceof Error ? err.message : err);
    return answer(await page(built, { ...base, notices: [...notices, s.unavailable], results: null }), 503, { ...noStore, "Retry-After": "5" });
  }
  // D1's own time for the query (the Worker's wait for it, `d1`, every answer carries: index.ts).
  const timing = `sql;dur=${found.sqlMs.toFixed(2)}`;
  const body = await page(built, { ...base, notices, results: { ...found, page: pageNo, perPage: RESULTS_PER_PAGE } });
  return answer(body, 200, { "Cache-Control": `public, max-age=${MAX_AGE}`, "Server-Timing": timing });
}
