// The pages the build writes. Comments sections come from the shared renderer in workers/render.
import { escapeHtml, firstOfMonth } from "../workers/render/html.ts";
import { renderCommentsSection, SECTION_ID, type ThreadComment } from "../workers/render/comments.ts";
import { postJsonLd } from "../workers/render/jsonld.ts";
import { exploreStringsFor, stringsFor } from "../workers/render/strings.ts";
import type { SearchActionLeaf, WebSite, WithActionConstraints, WithContext } from "schema-dts";
import { renderSearchSection, SEARCH_SECTION_ID } from "../workers/render/search.ts";
import type { Page, Post, Site } from "./content.ts";
import { firstImage, termNamesOf, type Month, type Term, type Year } from "./explore.ts";
import { archivePath, COMMENTS_FEED_PATH, SEARCH_PATH, termFeedPath, termIndexPath, termPath, termSlug, type TermKind } from "../workers/render/addresses.ts";

const ui = {
  fr: {
    home: "Accueil",
    posts: "Billets",
    feed: "Flux Atom",
    by: "par",
    notFound: "Page introuvable",
    notFoundText: "Cette page n’existe pas, ou plus.",
    back: "Retour à l’accueil",
    skip: "Aller au contenu",
    tags: "Mots-clés",
    categories: "Catégories",
    commentsLink: "réactions",
    newer: "Billets plus récents",
    older: "Billets plus anciens",
    pages: "Pages des billets",
    pageOf: (n: number, total: number) => `page ${n} sur ${total}`,
    pagesNav: "Pages",
  },
  en: {
    home: "Home",
    posts: "Posts",
    feed: "Atom feed",
    by: "by",
    notFound: "Page not found",
    notFoundText: "This page does not exist, or no longer.",
    back: "Back to the home page",
    skip: "Skip to content",
    tags: "Tags",
    categories: "Categories",
    commentsLink: "comments",
    newer: "Newer posts",
    older: "Older posts",
    pages: "Pages of posts",
    pageOf: (n: number, total: number) => `page ${n} of ${total}`,
    pagesNav: "Pages",
  },
};
const uiFor = (lang: string) => (lang.startsWith("en") ? ui.en : ui.fr);

// One formatter per language and zone: making one costs far more than formatting (a large build formats tens of thousands of dates).
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateOnly(iso: string, lang: string, timeZone: string): string {
  const key = `${lang}|${timeZone}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone });
    dateFormats.set(key, format);
  }
  return firstOfMonth(format.format(new Date(iso)), lang);
}

/** OpenGraph's locale: "fr" → "fr_FR", "en" → "en_US", "fr-CA" → "fr_CA". */
export function ogLocale(lang: string): string {
  const [language, region] = lang.split(/[-_]/);
  const l = language.toLowerCase();
  return `${l}_${(region ?? ({ en: "US" } as Record<string, string>)[l] ?? l).toUpperCase()}`;
}

/** JSON for a `<script>` element: nothing in it can close the element. */
const jsonInHtml = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

/** What a post page says of itself to OpenGraph and Twitter beyond the title and description. */
interface ArticleMeta {
  published: string;
  modified: string;
  tags: string[];
  section?: string;
  image: string | null;
}

/** The site's navigation, on every page: home, archives, categories, tags and the search form (GET, no JS). */
function siteNav(lang: string): string {
  const e = exploreStringsFor(lang);
  return `<nav class="site-nav" aria-label="${escapeHtml(e.siteNav)}"><ul>
<li><a href="/">${escapeHtml(e.home)}</a></li>
<li><a href="${archivePath()}">${escapeHtml(e.archives)}</a></li>
<li><a href="${termIndexPath("categories")}">${escapeHtml(e.categories)}</a></li>
<li><a href="${termIndexPath("tags")}">${escapeHtml(e.tags)}</a></li>
</ul>
<form class="search-form" role="search" method="get" action="${SEARCH_PATH}"><label for="site-search">${escapeHtml(e.searchLabel)}</label> <input type="search" id="site-search" name="q" required> <button type="submit">${escapeHtml(e.search)}</button></form></nav>`;
}

function layout(
  site: Site,
  opts: {
    lang: string;
    title: string;
    description: string;
    path: string;
    body: string;
    type?: string;
    head?: string;
    article?: ArticleMeta;
    /** More Atom feeds of this page (a tag's, a post's comments). */
    feeds?: { title: string; href: string }[];
    jsonLd?: object;
  },
): string {
  const t = uiFor(opts.lang);
  const e = exploreStringsFor(opts.lang);
  const canonical = new URL(opts.path, site.url).toString();
  const feeds = [
    { title: site.title, href: "/feed.xml" },
    { title: `${stringsFor(opts.lang).latestComments} · ${site.title}`, href: COMMENTS_FEED_PATH },
    ...(opts.feeds ?? []),
  ]
    .map((f) => `\n<link rel="alternate" type="application/atom+xml" title="${escapeHtml(f.title)}" href="${escapeHtml(f.href)}">`)
    .join("");
  const a = opts.article;
  const image = a?.image ? new URL(a.image, canonical).toString() : null;
  const article = a
    ? [
        `<meta property="article:published_time" content="${escapeHtml(a.published)}">`,
        `<meta property="article:modified_time" content="${escapeHtml(a.modified)}">`,
        ...(a.section ? [`<meta property="article:section" content="${escapeHtml(a.section)}">`] : []),
        ...a.tags.map((tag) => `<meta property="article:tag" content="${escapeHtml(tag)}">`),
      ]
        .map((m) => `\n${m}`)
        .join("")
    : "";
  const images = image ? `\n<meta property="og:image" content="${escapeHtml(image)}">\n<meta name="twitter:image" content="${escapeHtml(image)}">` : "";
  const jsonLd = opts.jsonLd ? `\n<script type="application/ld+json">${jsonInHtml(opts.jsonLd)}</script>` : "";
  return `<!doctype html>
<html lang="${escapeHtml(opts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<meta name="description" content="${escapeHtml(opts.description)}">
<meta name="color-scheme" content="light dark">
<link rel="canonical" href="${escapeHtml(canonical)}">${feeds}
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/billet.css">${opts.head ?? ""}
<meta property="og:title" content="${escapeHtml(opts.title)}">
<meta property="og:description" content="${escapeHtml(opts.description)}">
<meta property="og:type" content="${opts.type ?? "website"}">
<meta property="og:url" content="${escapeHtml(canonical)}">
<meta property="og:site_name" content="${escapeHtml(site.title)}">
<meta property="og:locale" content="${escapeHtml(ogLocale(opts.lang))}">${article}${images}
<meta name="twitter:card" content="${image ? "summary_large_image" : "summary"}">
<meta name="twitter:title" content="${escapeHtml(opts.title)}">
<meta name="twitter:description" content="${escapeHtml(opts.description)}">${jsonLd}
<script src="/widget.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">${escapeHtml(t.skip)}</a>
<header class="site-header"><p class="site-title"><a href="/">${escapeHtml(site.title)}</a></p><p class="site-description">${escapeHtml(site.description)}</p>
${siteNav(opts.lang)}</header>
<main id="main">
${opts.body}
</main>
<footer class="site-footer"><p><a href="/feed.xml">${escapeHtml(t.feed)}</a> · <a href="${COMMENTS_FEED_PATH}">${escapeHtml(e.commentsFeed)}</a> · <a href="${archivePath()}">${escapeHtml(e.archives)}</a> · © ${escapeHtml(site.author)}</p></footer>
</body>
</html>
`;
}

/** Links to a post's tags or categories: the term's address, its name as most posts spell it (`names`, by slug). */
function termLinks(post: Post, kind: TermKind, label: string, names?: Map<string, string>): string {
  const links = termNamesOf(post, kind).map((n) => {
    const slug = termSlug(n);
    return `<a class="tag" rel="tag" href="${termPath(kind, slug)}">${escapeHtml(names?.get(`${kind}:${slug}`) ?? n)}</a>`;
  });
  if (!links.length) return "";
  return `<p class="post-tags${kind === "categories" ? " post-categories" : ""}"><span class="visually-hidden">${escapeHtml(label)} : </span>${links.join(" ")}</p>`;
}

/** What leads on from a post: the previous and next posts by date, and related ones. */
export interface PostLinks {
  older: Post | null;
  newer: Post | null;
  related: Post[];
  /** Each term's shown name, by `<kind>:<slug>` (spellings of one slug show as one). */
  termNames?: Map<string, string>;
}

function postLinks(site: Site, post: Post, links: PostLinks): string {
  const e = exploreStringsFor(post.lang);
  const item = (p: Post, rel: string, label: string, cls: string) =>
    `<p class="${cls}"><span class="post-nav-label">${escapeHtml(label)}</span> <a href="${p.url}" rel="${rel}">${escapeHtml(p.title)}</a></p>`;
  const nav =
    links.older || links.newer
      ? `<nav class="post-nav" aria-label="${escapeHtml(e.postNav)}">${links.older ? item(links.older, "prev", `← ${e.older}`, "post-nav-older") : ""}${links.newer ? item(links.newer, "next", `${e.newer} →`, "post-nav-newer") : ""}</nav>`
      : "";
  const related = links.related.length
    ? `\n<aside class="related" aria-labelledby="related-title"><h2 id="related-title">${escapeHtml(e.related)}</h2><ul>${links.related
        .map(
          (p) =>
            `<li><a href="${p.url}">${escapeHtml(p.title)}</a> <time datetime="${p.date}">${escapeHtml(dateOnly(p.date, post.lang, site.timezone))}</time></li>`,
        )
        .join("")}</ul></aside>`
    : "";
  return nav || related ? `\n${nav}${related}` : "";
}

export function postPage(site: Site, post: Post, comments: ThreadComment[], links: PostLinks = { older: null, newer: null, related: [] }): string {
  const t = uiFor(post.lang);
  const tags = termLinks(post, "tags", t.tags, links.termNames);
  const categories = termLinks(post, "categories", t.categories, links.termNames);
  const roots = comments.filter((c) => c.parentId === null).length;
  const section = renderCommentsSection({
    slug: post.slug,
    lang: post.lang,
    timeZone: site.timezone,
    open: post.comments_open,
    comments,
    total: comments.length,
    firstNumber: 1,
    page: 1,
    pageCount: Math.max(1, Math.ceil(roots / 50)),
  });
  const body = `<article class="post" aria-labelledby="post-title">
<header class="post-header"><h1 id="post-title">${escapeHtml(post.title)}</h1>
<p class="post-meta"><time datetime="${post.date}">${escapeHtml(dateOnly(post.date, post.lang, site.timezone))}</time> ${escapeHtml(t.by)} ${escapeHtml(post.author)}</p>${categories}${tags}</header>
<div class="post-body">
${post.html}</div>
</article>${postLinks(site, post, links)}
<section id="${SECTION_ID}" class="comments" aria-labelledby="comments-title">
${section}
${postJsonLd({ site, post, comments, total: comments.length, page: 1 })}
</section>`;
  return layout(site, {
    lang: post.lang,
    title: `${post.title} · ${site.title}`,
    description: post.summary,
    path: post.url,
    body,
    type: "article",
    feeds: [{ title: `${stringsFor(post.lang).commentsTitle} · ${post.title}`, href: `${post.url}comments.xml` }],
    article: {
      published: post.date,
      modified: post.updated ?? post.date,
      tags: termNamesOf(post, "tags"),
      section: termNamesOf(post, "categories")[0],
      image: firstImage(post.html),
    },
  });
}

export const DEFAULT_POSTS_PER_PAGE = 20;

/** The address of page n of the home page: /, then /page/2/, /page/3/… */
export const homePath = (n: number) => (n <= 1 ? "/" : `/page/${n}/`);

/** The posts of a listing page: title, date, comment count (the widget brings it up to date) and summary. */
function postItems(site: Site, posts: Post[], counts: Record<string, number>, headingLevel = 2): string {
  return posts
    .map((p) => {
      const s = stringsFor(p.lang);
      return `<li class="post-item"><h${headingLevel}><a href="${p.url}">${escapeHtml(p.title)}</a></h${headingLevel}>
<p class="post-meta"><time datetime="${p.date}">${escapeHtml(dateOnly(p.date, p.lang, site.timezone))}</time> · <a href="${p.url}#comments-title" data-comment-count="${escapeHtml(p.slug)}">${escapeHtml(s.commentCount(counts[p.slug] ?? 0))}</a></p>
<p>${escapeHtml(p.summary)}</p></li>`;
    })
    .join("\n");
}

export interface Paging {
  page: number;
  pageCount: number;
  perPage?: number;
}

/** Pages shown around the current one in the numbered paging. */
const PAGE_WINDOW = 2;

/**
 * Numbered paging: first, previous, a window of page numbers, next, last. Plain links, the
 * current page marked with aria-current.
 */
export function pagination(lang: string, paging: Paging, pathFor: (n: number) => string): string {
  const { page, pageCount } = paging;
  if (pageCount <= 1) return "";
  const e = exploreStringsFor(lang);
  const items: string[] = [];
  if (page > 1) {
    items.push(`<li class="pagination-first"><a href="${pathFor(1)}"><span aria-hidden="true">«</span> <span>${escapeHtml(e.first)}</span></a></li>`);
    items.push(
      `<li class="pagination-prev"><a href="${pathFor(page - 1)}" rel="prev"><span aria-hidden="true">‹</span> <span>${escapeHtml(e.previousPage)}</span></a></li>`,
    );
  }
  const from = Math.max(1, page - PAGE_WINDOW);
  const to = Math.min(pageCount, page + PAGE_WINDOW);
  for (let n = from; n <= to; n++)
    items.push(
      n === page
        ? `<li><a href="${pathFor(n)}" aria-current="page" aria-label="${escapeHtml(e.pageOf(n, pageCount))}">${n}</a></li>`
        : `<li><a href="${pathFor(n)}" aria-label="${escapeHtml(e.page(n))}">${n}</a></li>`,
    );
  if (page < pageCount) {
    items.push(
      `<li class="pagination-next"><a href="${pathFor(page + 1)}" rel="next"><span>${escapeHtml(e.nextPage)}</span> <span aria-hidden="true">›</span></a></li>`,
    );
    items.push(`<li class="pagination-last"><a href="${pathFor(pageCount)}"><span>${escapeHtml(e.last)}</span> <span aria-hidden="true">»</span></a></li>`);
  }
  return `\n<nav class="pagination" aria-label="${escapeHtml(e.pages)}"><ul>${items.join("")}</ul></nav>`;
}

function pagingHead(paging: Paging, pathFor: (n: number) => string): string {
  return [
    paging.page > 1 ? `\n<link rel="prev" href="${pathFor(paging.page - 1)}">` : "",
    paging.page < paging.pageCount ? `\n<link rel="next" href="${pathFor(paging.page + 1)}">` : "",
  ].join("");
}

/** The home page's JSON-LD: the site and its search (schema.org WebSite with a SearchAction). */
export function websiteJsonLd(site: Site): WithContext<WebSite> {
  const search: WithActionConstraints<SearchActionLeaf> = {
    "@type": "SearchAction",
    target: { "@type": "EntryPoint", urlTemplate: `${new URL(SEARCH_PATH, site.url).toString()}?q={search_term_string}` },
    "query-input": "required name=search_term_string",
  };
  return {
    "@context": "https://schema.org",
    "@type": "WebSite",
    name: site.title,
    description: site.description,
    url: new URL("/", site.url).toString(),
    inLanguage: site.lang,
    potentialAction: search,
  };
}

/** One page of the home page: `posts` are that page's posts; numbered paging to the others. */
export function homePage(site: Site, posts: Post[], counts: Record<string, number>, paging: Paging = { page: 1, pageCount: 1 }): string {
  const t = uiFor(site.lang);
  const { page, pageCount } = paging;
  const title = page > 1 ? `${site.title} · ${t.pageOf(page, pageCount)}` : site.title;
  const start = page > 1 ? ` start="${(page - 1) * (paging.perPage ?? DEFAULT_POSTS_PER_PAGE) + 1}"` : "";
  return layout(site, {
    lang: site.lang,
    title,
    description: site.description,
    path: homePath(page),
    head: pagingHead(paging, homePath),
    jsonLd: page === 1 ? websiteJsonLd(site) : undefined,
    body: `<h1 class="visually-hidden">${escapeHtml(t.posts)}</h1>\n<ol class="post-list"${start}>${postItems(site, posts, counts)}</ol>${pagination(site.lang, paging, homePath)}${exploreLinks(site.lang)}`,
  });
}

/** The ways into the whole blog, under the home page's posts. */
function exploreLinks(lang: string): string {
  const e = exploreStringsFor(lang);
  return `\n<p class="explore-links"><a href="${archivePath()}">${escapeHtml(e.archives)}</a> · <a href="${termIndexPath("categories")}">${escapeHtml(e.allCategories)}</a> · <a href="${termIndexPath("tags")}">${escapeHtml(e.allTags)}</a></p>`;
}

/** A paged list of posts: a tag's, a category's, a year's or a month's. */
function listingPage(
  site: Site,
  opts: {
    heading: string;
    intro?: string;
    posts: Post[];
    counts: Record<string, number>;
    paging: Required<Paging>;
    pathFor: (n: number) => string;
    feed?: { title: string; href: string };
  },
): string {
  const e = exploreStringsFor(site.lang);
  const { paging } = opts;
  const title = paging.page > 1 ? `${opts.heading} · ${e.pageOf(paging.page, paging.pageCount)}` : opts.heading;
  const start = paging.page > 1 ? ` start="${(paging.page - 1) * paging.perPage + 1}"` : "";
  const feedLink = opts.feed
    ? `\n<p class="listing-feed"><a href="${escapeHtml(opts.feed.href)}" type="application/atom+xml">${escapeHtml(opts.feed.title)}</a></p>`
    : "";
  const list = opts.posts.length ? `<ol class="post-list"${start}>${postItems(site, opts.posts, opts.counts)}</ol>` : `<p>${escapeHtml(e.noPosts)}</p>`;
  return layout(site, {
    lang: site.lang,
    title: `${title} · ${site.title}`,
    description: opts.intro ?? `${opts.heading} · ${site.description}`,
    path: opts.pathFor(paging.page),
    head: pagingHead(paging, opts.pathFor),
    feeds: opts.feed ? [opts.feed] : [],
    body: `<h1>${escapeHtml(opts.heading)}${paging.page > 1 ? ` <span class="listing-page">(${escapeHtml(e.pageOf(paging.page, paging.pageCount))})</span>` : ""}</h1>${opts.intro ? `\n${opts.intro}` : ""}${feedLink}\n${list}${pagination(site.lang, paging, opts.pathFor)}`,
  });
}

/** Page n of a tag's or category's posts. */
export function termPage(site: Site, term: Term, posts: Post[], counts: Record<string, number>, paging: Required<Paging>): string {
  const e = exploreStringsFor(site.lang);
  const heading = term.kind === "tags" ? e.tagTitle(term.name) : e.categoryTitle(term.name);
  return listingPage(site, {
    heading,
    posts,
    counts,
    paging,
    pathFor: (n) => termPath(term.kind, term.slug, n),
    feed: { title: e.feedOf(term.name), href: termFeedPath(term.kind, term.slug) },
  });
}

/** All tags or all categories, with their number of posts. */
export function termIndexPage(site: Site, kind: TermKind, terms: Term[]): string {
  const e = exploreStringsFor(site.lang);
  const heading = kind === "tags" ? e.allTags : e.allCategories;
  const items = terms
    .map(
      (term) =>
        `<li><a href="${termPath(kind, term.slug)}">${escapeHtml(term.name)}</a> <span class="term-count">(${escapeHtml(e.postCount(term.posts.length))})</span></li>`,
    )
    .join("\n");
  return layout(site, {
    lang: site.lang,
    title: `${heading} · ${site.title}`,
    description: `${heading} · ${site.description}`,
    path: termIndexPath(kind),
    body: `<h1>${escapeHtml(heading)}</h1>\n${terms.length ? `<ul class="term-index term-index-${kind}">${items}</ul>` : `<p>${escapeHtml(e.noPosts)}</p>`}`,
  });
}

/** "mars 2008" / "March 2008". */
export function monthName(year: number, month: number, lang: string): string {
  let format = dateFormats.get(`${lang}|month`);
  if (!format) {
    format = new Intl.DateTimeFormat(lang, { month: "long", year: "numeric", timeZone: "UTC" });
    dateFormats.set(`${lang}|month`, format);
  }
  return format.format(Date.UTC(year, month - 1, 15));
}

/** Years and their months, with their number of posts. */
export function archiveIndexPage(site: Site, years: Year[]): string {
  const e = exploreStringsFor(site.lang);
  const items = years
    .map(
      (y) =>
        `<li><a href="${archivePath(y.year)}">${y.year}</a> <span class="term-count">(${escapeHtml(e.postCount(y.posts.length))})</span><ul class="archive-months">${y.months
          .map(
            (m) =>
              `<li><a href="${archivePath(m.year, m.month)}">${escapeHtml(monthName(m.year, m.month, site.lang))}</a> <span class="term-count">(${escapeHtml(e.postCount(m.posts.length))})</span></li>`,
          )
          .join("")}</ul></li>`,
    )
    .join("\n");
  return layout(site, {
    lang: site.lang,
    title: `${e.archives} · ${site.title}`,
    description: e.archiveIndex,
    path: archivePath(),
    body: `<h1>${escapeHtml(e.archives)}</h1>\n<p>${escapeHtml(e.archiveIndex)}</p>\n${years.length ? `<ul class="archive-index">${items}</ul>` : `<p>${escapeHtml(e.noPosts)}</p>`}`,
  });
}

/** Page n of a year's posts (its months linked above them). */
export function yearPage(site: Site, year: Year, posts: Post[], counts: Record<string, number>, paging: Required<Paging>): string {
  const e = exploreStringsFor(site.lang);
  const months = `<nav class="archive-months-nav" aria-label="${escapeHtml(e.monthsOf(year.year))}"><ul class="archive-months">${year.months
    .map(
      (m) =>
        `<li><a href="${archivePath(m.year, m.month)}">${escapeHtml(monthName(m.year, m.month, site.lang))}</a> <span class="term-count">(${m.posts.length})</span></li>`,
    )
    .join("")}</ul></nav>`;
  return listingPage(site, { heading: String(year.year), intro: months, posts, counts, paging, pathFor: (n) => archivePath(year.year, undefined, n) });
}

/** Page n of a month's posts. */
export function monthPage(site: Site, month: Month, posts: Post[], counts: Record<string, number>, paging: Required<Paging>): string {
  return listingPage(site, {
    heading: monthName(month.year, month.month, site.lang),
    posts,
    counts,
    paging,
    pathFor: (n) => archivePath(month.year, month.month, n),
  });
}

/** A page (not a post): its text, no comments, not on the home page or in the feed. */
export function pagePage(site: Site, page: Page): string {
  // A page that shows comments: their place, filled in by the Worker (here as with none yet).
  const section =
    page.comments_open === undefined
      ? ""
      : `
<section id="${SECTION_ID}" class="comments" aria-labelledby="comments-title">
${renderCommentsSection({ slug: page.slug, lang: page.lang, timeZone: site.timezone, open: page.comments_open, comments: [], total: 0, firstNumber: 1, page: 1, pageCount: 1 })}
${postJsonLd({ site, post: { ...page, tags: [] }, comments: [], total: 0, page: 1 })}
</section>`;
  const body = `<article class="post page" aria-labelledby="post-title">
<header class="post-header"><h1 id="post-title">${escapeHtml(page.title)}</h1></header>
<div class="post-body">
${page.html}</div>
</article>${section}`;
  return layout(site, { lang: page.lang, title: `${page.title} · ${site.title}`, description: page.summary, path: page.url, body, type: "article" });
}

/**
 * The search page as the Worker fills it in (workers/routes/search.ts): the form, and the results
 * section it replaces. Never indexed by search engines.
 */
export function searchPage(site: Site): string {
  const s = stringsFor(site.lang).search;
  const section = renderSearchSection({ lang: site.lang, timeZone: site.timezone, query: "", results: null });
  return layout(site, {
    lang: site.lang,
    title: `${s.title} · ${site.title}`,
    description: s.label,
    path: "/search",
    head: '\n<meta name="robots" content="noindex">',
    body: `<section id="${SEARCH_SECTION_ID}" class="search" aria-labelledby="search-title">\n${section}\n</section>`,
  });
}

export function notFoundPage(site: Site): string {
  const t = uiFor(site.lang);
  return layout(site, {
    lang: site.lang,
    title: `${t.notFound} · ${site.title}`,
    description: t.notFoundText,
    path: "/404.html",
    body: `<h1>${escapeHtml(t.notFound)}</h1><p>${escapeHtml(t.notFoundText)}</p><p><a href="/">${escapeHtml(t.back)}</a></p>`,
  });
}

/**
 * An Atom feed of posts: the site's (default) or a tag's or category's. Every address in it is
 * absolute, from the site's `url` (`xml:base` for the links inside the posts' HTML).
 */
export function atomFeed(site: Site, posts: Post[], feed: { title?: string; path?: string; alternate?: string } = {}): string {
  const abs = (path: string) => new URL(path, site.url).toString();
  const updated =
    posts
      .map((p) => p.updated ?? p.date)
      .sort()
      .at(-1) ?? new Date(0).toISOString();
  const entries = posts
    .map((p) => {
      const url = abs(p.url);
      const categories = [...termNamesOf(p, "categories"), ...termNamesOf(p, "tags")].map((c) => `\n<category term="${escapeHtml(c)}"/>`).join("");
      return `<entry>
<title>${escapeHtml(p.title)}</title>
<link href="${escapeHtml(url)}"/>
<id>${escapeHtml(url)}</id>
<published>${p.date}</published>
<updated>${p.updated ?? p.date}</updated>
<author><name>${escapeHtml(p.author)}</name></author>${categories}
<summary>${escapeHtml(p.summary)}</summary>
<content type="html" xml:base="${escapeHtml(url)}">${escapeHtml(p.html)}</content>
</entry>`;
    })
    .join("\n");
  const self = abs(feed.path ?? "/feed.xml");
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeHtml(site.lang)}">
<title>${escapeHtml(feed.title ? `${feed.title} · ${site.title}` : site.title)}</title>
<subtitle>${escapeHtml(site.description)}</subtitle>
<link href="${escapeHtml(self)}" rel="self"/>
<link href="${escapeHtml(abs(feed.alternate ?? "/"))}"/>
<id>${escapeHtml(feed.path ? self : abs("/"))}</id>
<updated>${updated}</updated>
<author><name>${escapeHtml(site.author)}</name></author>
${entries}
</feed>
`;
}

/** A page the sitemap lists: its address (a path) and when it last changed. */
export interface SitemapEntry {
  path: string;
  lastmod?: string;
}

/**
 * The sitemap, one `<url>` a line with `<loc>` and `<lastmod>` (the Worker moves a post's
 * lastmod when comments come): home, posts, pages, then `more` (tags, categories, archives).
 */
export function sitemap(site: Site, posts: Post[], pages: Page[] = [], more: SitemapEntry[] = []): string {
  const urls = [
    { loc: new URL("/", site.url).toString(), lastmod: posts[0]?.date },
    ...posts.map((p) => ({ loc: new URL(p.url, site.url).toString(), lastmod: p.updated ?? p.date })),
    ...pages.map((p) => ({ loc: new URL(p.url, site.url).toString(), lastmod: p.updated ?? p.date })),
    ...more.map((m) => ({ loc: new URL(m.path, site.url).toString(), lastmod: m.lastmod })),
  ];
  return `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((u) => `<url><loc>${escapeHtml(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod.slice(0, 10)}</lastmod>` : ""}</url>`).join("\n")}
</urlset>
`;
}

export function robots(site: Site): string {
  return `User-agent: *\nDisallow: /api/\nDisallow: /admin/\nSitemap: ${new URL("/sitemap.xml", site.url).toString()}\n`;
}
