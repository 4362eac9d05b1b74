// The pages the build writes. Comments sections come from the shared renderer in workers/render.
import { escapeHtml } from "../workers/render/html.ts";
import { renderCommentsSection, SECTION_ID, type ThreadComment } from "../workers/render/comments.ts";
import { postJsonLd } from "../workers/render/jsonld.ts";
import { COMMENTS_FEED_PATH } from "./taxonomy.ts";
import { stringsFor } from "../workers/render/strings.ts";
import type { Page, Post, Site } from "./content.ts";

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

function dateOnly(iso: string, lang: string, timeZone: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone }).format(new Date(iso));
}

function layout(site: Site, opts: { lang: string; title: string; description: string; path: string; body: string; type?: string; head?: string }): string {
  const t = uiFor(opts.lang);
  const canonical = new URL(opts.path, site.url).toString();
  return `<!doctype html>
<html lang="${escapeHtml(opts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<meta name="description" content="${escapeHtml(opts.description)}">
<meta name="color-scheme" content="light dark">
<link rel="canonical" href="${escapeHtml(canonical)}">
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(site.title)}" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(`${stringsFor(opts.lang).latestComments} · ${site.title}`)}" href="${COMMENTS_FEED_PATH}">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/billet.css">${opts.head ?? ""}
<meta property="og:title" content="${escapeHtml(opts.title)}">
<meta property="og:description" content="${escapeHtml(opts.description)}">
<meta property="og:type" content="${opts.type ?? "website"}">
<meta property="og:url" content="${escapeHtml(canonical)}">
<script src="/widget.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">${escapeHtml(t.skip)}</a>
<header class="site-header"><p class="site-title"><a href="/">${escapeHtml(site.title)}</a></p><p class="site-description">${escapeHtml(site.description)}</p></header>
<main id="main">
${opts.body}
</main>
<footer class="site-footer"><p><a href="/feed.xml">${escapeHtml(t.feed)}</a> · © ${escapeHtml(site.author)}</p></footer>
</body>
</html>
`;
}

export function postPage(site: Site, post: Post, comments: ThreadComment[]): string {
  const t = uiFor(post.lang);
  const tags = post.tags.length
    ? `<p class="post-tags"><span class="visually-hidden">${escapeHtml(t.tags)} : </span>${post.tags.map((tag) => `<span class="tag">${escapeHtml(tag)}</span>`).join(" ")}</p>`
    : "";
  const categories = post.categories?.length
    ? `<p class="post-tags post-categories"><span class="visually-hidden">${escapeHtml(t.categories)} : </span>${post.categories.map((c) => `<span class="tag">${escapeHtml(c)}</span>`).join(" ")}</p>`
    : "";
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
</article>
<section id="${SECTION_ID}" class="comments" aria-labelledby="comments-title">
${section}
${postJsonLd({ site, post, comments, total: comments.length, page: 1 })}
</section>`;
  const feed = `\n<link rel="alternate" type="application/atom+xml" title="${escapeHtml(`${stringsFor(post.lang).commentsTitle} · ${post.title}`)}" href="${post.url}comments.xml">`;
  return layout(site, {
    lang: post.lang,
    title: `${post.title} · ${site.title}`,
    description: post.summary,
    path: post.url,
    body,
    type: "article",
    head: feed,
  });
}

export const DEFAULT_POSTS_PER_PAGE = 20;

/** The address of page n of the home page: /, then /page/2/, /page/3/… */
export const homePath = (n: number) => (n <= 1 ? "/" : `/page/${n}/`);

/** One page of the home page: `posts` are that page's posts; links to the newer and older pages. */
export function homePage(
  site: Site,
  posts: Post[],
  counts: Record<string, number>,
  paging: { page: number; pageCount: number; perPage?: number } = { page: 1, pageCount: 1 },
): string {
  const t = uiFor(site.lang);
  const { page, pageCount } = paging;
  const items = posts
    .map((p) => {
      const s = stringsFor(p.lang);
      return `<li class="post-item"><h2><a href="${p.url}">${escapeHtml(p.title)}</a></h2>
<p class="post-meta"><time datetime="${p.date}">${escapeHtml(dateOnly(p.date, p.lang, site.timezone))}</time> · <a href="${p.url}#comments-title" data-comment-count="${escapeHtml(p.slug)}">${escapeHtml(s.commentCount(counts[p.slug] ?? 0))}</a></p>
<p>${escapeHtml(p.summary)}</p></li>`;
    })
    .join("\n");
  const links = [
    page > 1 ? `<a href="${homePath(page - 1)}" rel="prev">${escapeHtml(t.newer)}</a>` : "",
    `<span class="pagination-current">${escapeHtml(t.pageOf(page, pageCount))}</span>`,
    page < pageCount ? `<a href="${homePath(page + 1)}" rel="next">${escapeHtml(t.older)}</a>` : "",
  ].filter(Boolean);
  const nav = pageCount > 1 ? `\n<nav class="pagination" aria-label="${escapeHtml(t.pages)}"><p>${links.join(" · ")}</p></nav>` : "";
  const head = [
    page > 1 ? `\n<link rel="prev" href="${homePath(page - 1)}">` : "",
    page < pageCount ? `\n<link rel="next" href="${homePath(page + 1)}">` : "",
  ].join("");
  const title = page > 1 ? `${site.title} · ${t.pageOf(page, pageCount)}` : site.title;
  const start = page > 1 ? ` start="${(page - 1) * (paging.perPage ?? DEFAULT_POSTS_PER_PAGE) + 1}"` : "";
  return layout(site, {
    lang: site.lang,
    title,
    description: site.description,
    path: homePath(page),
    head,
    body: `<h1 class="visually-hidden">${escapeHtml(t.posts)}</h1>\n<ol class="post-list"${start}>${items}</ol>${nav}`,
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

export function atomFeed(site: Site, posts: Post[]): string {
  const updated =
    posts
      .map((p) => p.updated ?? p.date)
      .sort()
      .at(-1) ?? new Date(0).toISOString();
  const entries = posts
    .map((p) => {
      const url = new URL(p.url, site.url).toString();
      return `<entry>
<title>${escapeHtml(p.title)}</title>
<link href="${escapeHtml(url)}"/>
<id>${escapeHtml(url)}</id>
<published>${p.date}</published>
<updated>${p.updated ?? p.date}</updated>
<author><name>${escapeHtml(p.author)}</name></author>
<summary>${escapeHtml(p.summary)}</summary>
<content type="html">${escapeHtml(p.html)}</content>
</entry>`;
    })
    .join("\n");
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeHtml(site.lang)}">
<title>${escapeHtml(site.title)}</title>
<subtitle>${escapeHtml(site.description)}</subtitle>
<link href="${escapeHtml(new URL("/feed.xml", site.url).toString())}" rel="self"/>
<link href="${escapeHtml(site.url)}"/>
<id>${escapeHtml(new URL("/", site.url).toString())}</id>
<updated>${updated}</updated>
${entries}
</feed>
`;
}

export function sitemap(site: Site, posts: Post[], pages: Page[] = []): string {
  const urls = [
    { loc: new URL("/", site.url).toString(), lastmod: posts[0]?.date },
    ...posts.map((p) => ({ loc: new URL(p.url, site.url).toString(), lastmod: p.updated ?? p.date })),
    ...pages.map((p) => ({ loc: new URL(p.url, site.url).toString(), lastmod: p.updated ?? p.date })),
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
