// The ways through a built blog: tags, categories, archives, paging, previous/next, related posts,
// their feeds and the sitemap, on a generated site of more pages than one; and the functions that
// compute them, on any set of posts (fast-check).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { WebSite, WithContext } from "schema-dts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "../../scripts/build.ts";
import { ROOT, type Post, type Site } from "../../scripts/content.ts";
import { collectArchives, collectTerms, firstImage, neighbours, pagesOf, relatedPosts, termNamesOf, yearMonthOf } from "../../scripts/explore.ts";
import { archivePath, termFeedPath, termPath, termSlug } from "../../workers/render/addresses.ts";
import { ogLocale, termIndexPage, websiteJsonLd } from "../../scripts/templates.ts";

const SITE: Site = {
  title: "Carnet d’essai",
  description: "Un blog pour les tests.",
  author: "Arnaud",
  url: "https://carnet.example.org",
  lang: "fr",
  timezone: "Europe/Paris",
  posts_per_page: 4,
};
// Spellings that make one term ("Réseaux" / "reseaux" / "RÉSEAUX"), scripts other than Latin.
const TAGS = ["Réseaux", "reseaux", "RÉSEAUX", "Ελλάδα", "Москва", "web 2.0", "café & <b>thé</b>", "Lecture", "Été"];
const CATEGORIES = ["Chroniques", "Notes", "Voyages"];
const POSTS = 130;

const tmp = mkdtempSync(join(tmpdir(), "billet-explore-"));
const content = join(tmp, "content");
const pub = join(tmp, "public");
const read = (path: string) => readFileSync(join(pub, ...path.split("/").filter(Boolean), ...(path.endsWith("/") ? ["index.html"] : [])), "utf8");
let posts: Post[] = [];

beforeAll(async () => {
  mkdirSync(join(content, "posts"), { recursive: true });
  mkdirSync(join(content, "pages"), { recursive: true });
  writeFileSync(join(content, "site.json"), JSON.stringify(SITE));
  for (let i = 0; i < POSTS; i++) {
    // Some posts share their instant (ties by slug), a few none of the tags; odd order of files.
    const day = new Date(Date.UTC(2019, 0, 1) + Math.floor((i * 37) % POSTS) * 9 * 86_400_000 + (i % 5 === 0 ? 0 : i * 3_600_000));
    const tags = i % 7 === 0 ? [] : [TAGS[i % TAGS.length], TAGS[(i * 3) % TAGS.length], TAGS[(i * 3) % TAGS.length]];
    const categories = i % 4 === 0 ? [] : [CATEGORIES[i % CATEGORIES.length]];
    const image = i === 3 ? '\n<img src="/media/photo.jpg" alt="">\n' : "";
    writeFileSync(
      join(content, "posts", `billet-${String((i * 7) % POSTS).padStart(3, "0")}.md`),
      `---\ntitle: "Billet ${i}"\ndate: ${day.toISOString()}\ntags: ${JSON.stringify(tags)}\ncategories: ${JSON.stringify(categories)}\nsummary: "Résumé ${i}"\n---\nTexte ${i}, [un lien](/posts/billet-000/).${image}\n`,
    );
  }
  writeFileSync(join(content, "pages", "a-propos.md"), `---\ntitle: "À propos"\n---\nQui écrit ici.\n`);
  ({ posts } = await buildSite({ content, public: pub, build: join(tmp, "build"), scripts: false }));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The posts listed on a list page, in order (their addresses). */
const listed = (html: string) => [...html.matchAll(/<li class="post-item"><h2><a href="([^"]+)"/g)].map((m) => m[1]);
/** Every page of a paged list, following the numbered paging's "next" link from the first. */
function allPages(first: string): { paths: string[]; posts: string[] } {
  const paths = [first];
  const found: string[] = [];
  for (let path: string | undefined = first; path; ) {
    const html = read(path);
    found.push(...listed(html));
    path = /<li class="pagination-next"><a href="([^"]+)" rel="next">/.exec(html)?.[1];
    if (path) paths.push(path);
  }
  return { paths, posts: found };
}
const urls = (list: Post[]) => list.map((p) => p.url);

describe("the built blog's tags and categories", () => {
  it("gives each term a paged list of its posts, newest first, and an index whose counts agree", () => {
    expect(posts).toHaveLength(POSTS);
    for (const kind of ["tags", "categories"] as const) {
      const terms = collectTerms(posts, kind);
      expect(terms.length).toBeGreaterThan(2);
      const index = read(`/${kind}/`);
      let sum = 0;
      for (const term of terms) {
        const expected = urls(posts.filter((p) => termNamesOf(p, kind).some((n) => termSlug(n) === term.slug)));
        const { paths, posts: found } = allPages(termPath(kind, term.slug));
        expect(found).toEqual(expected);
        expect(paths).toHaveLength(Math.ceil(expected.length / SITE.posts_per_page!));
        const count = new RegExp(`<a href="${termPath(kind, term.slug)}">[^<]*</a> <span class="term-count">\\((\\d+) billets?\\)`).exec(index);
        expect(Number(count?.[1])).toBe(expected.length);
        sum += expected.length;
      }
      expect(sum).toBe(posts.reduce((n, p) => n + termNamesOf(p, kind).length, 0));
    }
  });

  it("makes one term of names that give one slug, shown in its most used spelling, escaped", () => {
    const tags = collectTerms(posts, "tags");
    expect(tags.filter((t) => t.slug === "reseaux")).toHaveLength(1);
    const index = read("/tags/");
    expect(index).toContain("café &amp; &lt;b&gt;thé&lt;/b&gt;");
    expect(index).not.toContain("<b>thé</b>");
    expect(index).toContain(`href="${termPath("tags", "Ελλάδα")}">Ελλάδα</a>`);
    expect(index).toContain(">Москва</a>");
    const spelling = tags.find((t) => t.slug === "reseaux")!.name;
    const uses = (name: string) => posts.filter((p) => p.tags.includes(name)).length;
    for (const other of ["Réseaux", "reseaux", "RÉSEAUX"]) expect(uses(spelling)).toBeGreaterThanOrEqual(uses(other));
    // A post that spells it otherwise links to it under that one name.
    const other = posts.find((p) => p.tags.some((t) => termSlug(t) === "reseaux" && t !== spelling))!;
    expect(read(other.url)).toContain(`<a class="tag" rel="tag" href="/tags/reseaux/">${spelling}</a>`);
  });

  it("links every post to its tags and categories; a paged list has numbered paging and links to the pages around", () => {
    for (const post of posts) {
      const html = read(post.url);
      for (const name of [...post.tags, ...(post.categories ?? [])])
        expect(html).toContain(`href="${termPath(post.tags.includes(name) ? "tags" : "categories", name)}"`);
    }
    const term = collectTerms(posts, "tags").find((t) => t.posts.length > 3 * SITE.posts_per_page!)!;
    const second = read(termPath("tags", term.slug, 2));
    expect(second).toContain(`<link rel="prev" href="${termPath("tags", term.slug)}">`);
    expect(second).toContain(`<link rel="next" href="${termPath("tags", term.slug, 3)}">`);
    expect(second).toMatch(/<a href="[^"]+page\/2\/" aria-current="page"/);
    expect(second).toContain('class="pagination-first"');
    expect(second).toContain('class="pagination-last"');
  });

  it("writes a valid Atom feed per term, linked from its pages, every link absolute from the site's url", () => {
    const parser = new XMLParser({ ignoreAttributes: false });
    for (const kind of ["tags", "categories"] as const) {
      for (const term of collectTerms(posts, kind)) {
        const xml = read(termFeedPath(kind, term.slug));
        expect(XMLValidator.validate(xml)).toBe(true);
        const feed = parser.parse(xml).feed;
        const entries = [feed.entry ?? []].flat();
        expect(entries.map((e: { id: string }) => e.id)).toEqual(term.posts.slice(0, 20).map((p) => `${SITE.url}${p.url}`));
        for (const link of [feed.link, entries.map((e: { link: unknown }) => e.link)].flat(2))
          expect(link["@_href"]).toMatch(/^https:\/\/carnet\.example\.org\//);
        for (const e of entries) expect(e.content["@_xml:base"]).toBe(e.id);
        expect(read(termPath(kind, term.slug))).toContain(
          `type="application/atom+xml" title="Flux Atom de « ${term.name.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")} »" href="${termFeedPath(kind, term.slug)}">`,
        );
      }
    }
  });
});

describe("the built blog's archives", () => {
  it("has a paged page per year and per month with their posts, and an index whose counts add up", () => {
    const years = collectArchives(posts, SITE.timezone);
    expect(years.length).toBeGreaterThanOrEqual(2);
    const index = read("/archives/");
    let total = 0;
    for (const year of years) {
      const inYear = posts.filter((p) => yearMonthOf(p.date, SITE.timezone).year === year.year);
      expect(allPages(archivePath(year.year)).posts).toEqual(urls(inYear));
      let months = 0;
      for (const month of year.months) {
        const inMonth = inYear.filter((p) => yearMonthOf(p.date, SITE.timezone).month === month.month);
        expect(allPages(archivePath(year.year, month.month)).posts).toEqual(urls(inMonth));
        expect(index).toMatch(
          new RegExp(`<a href="${archivePath(year.year, month.month)}">[^<]+</a> <span class="term-count">\\(${inMonth.length} billets?\\)`),
        );
        months += inMonth.length;
      }
      expect(months).toBe(inYear.length);
      expect(index).toContain(`<a href="${archivePath(year.year)}">${year.year}</a> <span class="term-count">(${inYear.length} billet`);
      total += inYear.length;
    }
    expect(total).toBe(POSTS);
  });

  it("dates a post in the site's time zone (New Year's Eve late in Paris is December's)", () => {
    expect(yearMonthOf("2019-12-31T23:30:00Z", "Europe/Paris")).toEqual({ year: 2020, month: 1 });
    expect(yearMonthOf("2019-12-31T22:30:00Z", "Europe/Paris")).toEqual({ year: 2019, month: 12 });
  });

  it("puts the site navigation and search form on every page, and links the archives from the home page", () => {
    const home = read("/");
    for (const path of ["/", "/page/2/", "/archives/", "/tags/", "/categories/", "/a-propos/", posts[0].url, termPath("tags", "Lecture")]) {
      const html = read(path);
      expect(html).toContain('<form class="search-form" role="search" method="get" action="/search"><label for="site-search">');
      expect(html).toContain('<input type="search" id="site-search" name="q"');
      for (const href of ["/archives/", "/tags/", "/categories/"]) expect(html).toContain(`<li><a href="${href}">`);
      expect(html).toContain('<link rel="alternate" type="application/atom+xml" title="Carnet d’essai" href="/feed.xml">');
      expect(html).toContain('type="application/atom+xml" title="Les derniers commentaires · Carnet d’essai" href="/comments.xml">');
    }
    expect(home).toContain('<p class="explore-links"><a href="/archives/">');
  });
});

describe("the home page", () => {
  it("pages all posts with numbered paging: first, previous, a window of numbers, next, last", () => {
    const { paths, posts: found } = allPages("/");
    expect(found).toEqual(urls(posts));
    expect(paths).toHaveLength(Math.ceil(POSTS / 4));
    const middle = read("/page/8/");
    const numbers = [...middle.matchAll(/<li><a href="([^"]+)"( aria-current="page")? aria-label="[^"]+">(\d+)<\/a><\/li>/g)].map((m) => Number(m[3]));
    expect(numbers).toEqual([6, 7, 8, 9, 10]);
    expect(middle).toContain('<a href="/page/8/" aria-current="page"');
    expect(middle).toContain('<li class="pagination-first"><a href="/">');
    expect(middle).toContain(`<li class="pagination-last"><a href="/page/${paths.length}/">`);
    expect(read("/")).not.toContain('class="pagination-prev"');
  });

  it("declares the site and its search in schema.org JSON-LD (typed by schema-dts)", () => {
    const html = read("/");
    const json = /<script type="application\/ld\+json">([^<]*)<\/script>/.exec(html)?.[1];
    const ld = JSON.parse(json!) as WithContext<WebSite>;
    const expected: WithContext<WebSite> = websiteJsonLd(SITE);
    expect(ld).toEqual(expected);
    expect(ld).toMatchObject({
      "@type": "WebSite",
      url: "https://carnet.example.org/",
      potentialAction: {
        "@type": "SearchAction",
        target: { "@type": "EntryPoint", urlTemplate: "https://carnet.example.org/search?q={search_term_string}" },
        "query-input": "required name=search_term_string",
      },
    });
    // Only the first page declares it.
    expect(read("/page/2/")).not.toContain("application/ld+json");
  });
});

describe("from one post to the next", () => {
  it("chains every post exactly once by date through rel=prev / rel=next, outside the comments section", () => {
    const oldest = posts.at(-1)!;
    const seen: string[] = [];
    for (let url: string | undefined = oldest.url; url; ) {
      seen.push(url);
      const html = read(url);
      const nav = /<nav class="post-nav"[\s\S]*?<\/nav>/.exec(html)![0];
      expect(html.indexOf(nav)).toBeLessThan(html.indexOf('<section id="comments"'));
      url = /<a href="([^"]+)" rel="next">/.exec(nav)?.[1];
      const prev = /<a href="([^"]+)" rel="prev">/.exec(nav)?.[1];
      if (seen.length > 1) expect(prev).toBe(seen.at(-2));
      expect(seen.length).toBeLessThanOrEqual(POSTS);
    }
    expect(seen).toEqual(urls(posts).reverse());
  });

  it("shows up to five related posts, never the post itself, the most shared tags first", () => {
    for (const post of posts) {
      const html = read(post.url);
      const aside = /<aside class="related"[\s\S]*?<\/aside>/.exec(html)?.[0] ?? "";
      const shown = [...aside.matchAll(/<li><a href="([^"]+)"/g)].map((m) => m[1]);
      expect(shown.length).toBeLessThanOrEqual(5);
      expect(shown).not.toContain(post.url);
      expect(new Set(shown).size).toBe(shown.length);
      const shared = (url: string) => {
        const other = posts.find((p) => p.url === url)!;
        const own = new Set(termNamesOf(post, "tags").map(termSlug));
        return termNamesOf(other, "tags").filter((n) => own.has(termSlug(n))).length;
      };
      const scores = shown.map(shared);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      // Nothing left out shares more tags than the last one shown.
      if (shown.length === 5)
        for (const other of posts) if (other !== post && !shown.includes(other.url)) expect(shared(other.url)).toBeLessThanOrEqual(scores[4]);
    }
  });

  it("completes OpenGraph and Twitter: article times, tags, locale, site name, first image", () => {
    const post = posts.find((p) => p.title === "Billet 3")!;
    const html = read(post.url);
    expect(html).toContain('<meta property="og:type" content="article">');
    expect(html).toContain(`<meta property="article:published_time" content="${post.date}">`);
    expect(html).toContain(`<meta property="article:modified_time" content="${post.date}">`);
    for (const tag of new Set(post.tags))
      expect(html).toContain(`<meta property="article:tag" content="${tag.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}">`);
    expect(html).toContain('<meta property="og:locale" content="fr_FR">');
    expect(html).toContain('<meta property="og:site_name" content="Carnet d’essai">');
    expect(html).toContain('<meta property="og:image" content="https://carnet.example.org/media/photo.jpg">');
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(html).toContain(`<link rel="alternate" type="application/atom+xml" title="Vos réactions · Billet 3" href="${post.url}comments.xml">`);
  });
});

describe("served as they are built", () => {
  it("runs no Worker for the new pages (wrangler.toml's run_worker_first takes none of them)", () => {
    const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    const patterns = JSON.parse(/^run_worker_first = (\[.*\])$/m.exec(toml)![1]) as string[];
    const matches = (path: string) => patterns.some((p) => (p.endsWith("/*") ? path.startsWith(p.slice(0, -1)) : path === p));
    const paths = [
      "/tags/",
      termPath("tags", "Lecture"),
      termPath("tags", "Lecture", 2),
      termFeedPath("tags", "Lecture"),
      "/categories/",
      "/archives/",
      archivePath(2019),
      archivePath(2019, 3, 2),
      "/page/2/",
    ];
    for (const path of paths) expect(matches(path), path).toBe(false);
    expect(matches("/posts/x/")).toBe(true);
  });

  it("gives every page unique ids and one h1", () => {
    const paths = ["/", "/page/3/", "/tags/", "/archives/", archivePath(2019), termPath("tags", "Lecture"), ...posts.slice(0, 20).map((p) => p.url)];
    for (const path of paths) {
      const html = read(path);
      const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(ids).size, path).toBe(ids.length);
      expect(html.match(/<h1[\s>]/g), path).toHaveLength(1);
    }
  });
});

describe("the sitemap", () => {
  it("lists every page built, one <url> a line, each with its lastmod", () => {
    const xml = readFileSync(join(pub, "sitemap.xml"), "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const lines = xml.split("\n").filter((l) => l.startsWith("<url>"));
    expect(lines.every((l) => /^<url><loc>[^<]+<\/loc><lastmod>\d{4}-\d{2}-\d{2}<\/lastmod><\/url>$/.test(l))).toBe(true);
    const locs = new Set(lines.map((l) => /<loc>([^<]+)<\/loc>/.exec(l)![1].replace(SITE.url, "")));
    // Every first page built (not page 2, 3… of a list, not the 404).
    const built: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name === "index.html") built.push(`/${relative(pub, dir)}/`.replace(/\/+$/, "/").replace(/^\/\/$/, "/"));
      }
    };
    walk(pub);
    // The search page is the Worker's (noindex): not in the sitemap.
    const firstPages = built.filter((p) => !/\/page\/\d+\/$/.test(p) && p !== "/search/");
    expect(firstPages.length).toBeGreaterThan(POSTS + 20);
    for (const path of firstPages) expect(locs.has(path), path).toBe(true);
    expect(locs.size).toBe(lines.length);
  });
});

// The functions on any set of posts.
const arbPosts = fc
  .uniqueArray(
    fc.record({
      slug: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
      time: fc.integer({ min: Date.UTC(2005, 0, 1), max: Date.UTC(2012, 0, 1) }),
      tags: fc.array(fc.constantFrom(...TAGS), { maxLength: 4 }),
      categories: fc.array(fc.constantFrom(...CATEGORIES), { maxLength: 2 }),
    }),
    { selector: (p) => p.slug, maxLength: 150 },
  )
  .map((list) =>
    list
      .map(
        (p): Post => ({
          slug: p.slug,
          title: p.slug,
          date: new Date(p.time).toISOString(),
          author: "A",
          lang: "fr",
          tags: p.tags,
          categories: p.categories,
          summary: "",
          url: `/posts/${p.slug}/`,
          comments_open: true,
          comments_close_at: null,
          html: "",
        }),
      )
      .sort((a, b) => Date.parse(b.date) - Date.parse(a.date) || a.slug.localeCompare(b.slug)),
  );

describe("on any set of posts", () => {
  it("every post with a term is on that term's list once; archives hold every post once; counts add up", () => {
    fc.assert(
      fc.property(arbPosts, (list) => {
        for (const kind of ["tags", "categories"] as const) {
          const terms = collectTerms(list, kind);
          for (const post of list)
            for (const name of termNamesOf(post, kind)) expect(terms.find((t) => t.slug === termSlug(name))!.posts.filter((p) => p === post)).toHaveLength(1);
          expect(terms.reduce((n, t) => n + t.posts.length, 0)).toBe(list.reduce((n, p) => n + termNamesOf(p, kind).length, 0));
        }
        const years = collectArchives(list, "Europe/Paris");
        const inMonths = years.flatMap((y) => y.months.flatMap((m) => m.posts));
        expect(new Set(inMonths).size).toBe(list.length);
        expect(inMonths).toHaveLength(list.length);
        for (const y of years) expect(y.months.reduce((n, m) => n + m.posts.length, 0)).toBe(y.posts.length);
        expect(pagesOf(list, 7).flat()).toEqual(list);
      }),
      { numRuns: 60 },
    );
  });

  it("next/previous form one chain; related posts never hold the post, share a term, best first", () => {
    fc.assert(
      fc.property(arbPosts, fc.integer({ min: 1, max: 6 }), (list, count) => {
        const around = neighbours(list);
        let at = list.at(-1);
        const chain: Post[] = [];
        while (at) {
          chain.push(at);
          at = around.get(at.slug)!.newer ?? undefined;
        }
        expect(chain).toEqual([...list].reverse());
        const related = relatedPosts(list, count);
        for (const post of list) {
          const shown = related.get(post.slug)!;
          expect(shown.length).toBeLessThanOrEqual(count);
          expect(shown).not.toContain(post);
          const own = new Set([...termNamesOf(post, "tags").map((n) => `t${termSlug(n)}`), ...termNamesOf(post, "categories").map((n) => `c${termSlug(n)}`)]);
          const tagsShared = (p: Post) => termNamesOf(p, "tags").filter((n) => own.has(`t${termSlug(n)}`)).length;
          for (const p of shown)
            expect(
              [...termNamesOf(p, "tags").map((n) => `t${termSlug(n)}`), ...termNamesOf(p, "categories").map((n) => `c${termSlug(n)}`)].some((k) => own.has(k)),
            ).toBe(true);
          const scores = shown.map(tagsShared);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
          if (shown.length === count) for (const p of list) if (p !== post && !shown.includes(p)) expect(tagsShared(p)).toBeLessThanOrEqual(scores.at(-1)!);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("small pieces", () => {
  it("finds a post's first image, whatever the quoting; never a data: address", () => {
    expect(firstImage('<p>x</p><img alt="a" src="/m/a.jpg"><img src="/m/b.jpg">')).toBe("/m/a.jpg");
    expect(firstImage("<IMG SRC='https://cdn.example/x.png?a=1&amp;b=2'>")).toBe("https://cdn.example/x.png?a=1&b=2");
    expect(firstImage("<img src=/m/c.gif alt=c>")).toBe("/m/c.gif");
    expect(firstImage('<img src="data:image/png;base64,AAAA">')).toBeNull();
    expect(firstImage("<p>no image</p>")).toBeNull();
  });

  it("names OpenGraph locales", () => {
    expect(ogLocale("fr")).toBe("fr_FR");
    expect(ogLocale("en")).toBe("en_US");
    expect(ogLocale("fr-CA")).toBe("fr_CA");
    expect(ogLocale("de")).toBe("de_DE");
  });

  it("speaks English on an English site", () => {
    const en: Site = { ...SITE, lang: "en" };
    const post = posts[0];
    const html = termIndexPage(en, "tags", [{ kind: "tags", slug: "lecture", name: "Lecture", posts: [post] }]);
    expect(html).toContain("<h1>All tags</h1>");
    expect(html).toContain('<span class="term-count">(1 post)</span>');
    expect(html).toContain('<nav class="site-nav" aria-label="Site navigation">');
    expect(html).toContain('<label for="site-search">Search the blog</label>');
    expect(html).toContain('<meta property="og:locale" content="en_US">');
  });
});
