// Pages on a 320 px phone without JavaScript: a 10-deep thread keeps every comment at least 85 %
// of the screen wide (indentation stops, "en réponse à X" says whom a reply answers), and the
// site navigation, search form and numbered paging fit. Built pages from the templates, served
// to Chromium from memory with billet.css.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { ThreadComment } from "../../workers/render/comments.ts";
import { ROOT, type Post, type Site } from "../../scripts/content.ts";
import { homePage, postPage } from "../../scripts/templates.ts";
import { useBrowser } from "./helpers.ts";

const browser = useBrowser();
const ORIGIN = "http://billet.test";
const site: Site = { title: "Le blog d’Arnaud", description: "Notes.", author: "Arnaud", url: ORIGIN, lang: "fr", timezone: "Europe/Paris" };
const post = (n: number): Post => ({
  slug: `billet-${n}`,
  title: `Un billet au titre assez long pour passer à la ligne, numéro ${n}`,
  date: new Date(Date.UTC(2010, 0, 1) + n * 86_400_000).toISOString(),
  author: "Arnaud",
  lang: "fr",
  tags: ["réseaux sociaux", "Ελλάδα"],
  categories: ["Chroniques"],
  summary: "Un résumé.",
  url: `/posts/billet-${n}/`,
  comments_open: true,
  comments_close_at: null,
  html: "<p>Le texte.</p>\n",
});

/** A thread 10 deep (depth 0 to 10), each reply with a sibling, under two other threads. */
function deepThread(): ThreadComment[] {
  const comments: ThreadComment[] = [];
  let id = 1;
  const add = (parentId: number | null, name: string) => {
    comments.push({
      id,
      parentId,
      authorName: name,
      authorUrl: null,
      html: `<p>${name} : une réponse assez longue pour remplir plusieurs lignes sur un petit écran de téléphone.</p>`,
      createdAt: Date.UTC(2010, 0, 2) + id * 60_000,
      editedAt: null,
      status: "approved",
    });
    return id++;
  };
  add(null, "Première");
  let parent = add(null, "Niveau 0");
  for (let depth = 1; depth <= 10; depth++) {
    const next = add(parent, `Niveau ${depth}`);
    add(parent, `Voisin ${depth}`);
    parent = next;
  }
  add(null, "Dernière");
  return comments;
}

async function open(html: string) {
  const context = await browser.context({ viewport: { width: 320, height: 640 }, javaScriptEnabled: false });
  const css = readFileSync(join(ROOT, "public", "billet.css"), "utf8");
  await context.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/billet.css") return route.fulfill({ body: css, contentType: "text/css" });
    if (path === "/page/5/") return route.fulfill({ body: html, contentType: "text/html; charset=utf-8" });
    if (path.startsWith("/posts/")) return route.fulfill({ body: html, contentType: "text/html; charset=utf-8" });
    return route.fulfill({ status: 404, body: "" });
  });
  const page = await context.newPage();
  return page;
}

describe("on a 320 px screen", () => {
  test("every comment of a 10-deep thread is at least 272 px wide; deep replies say whom they answer", async () => {
    const comments = deepThread();
    const html = postPage(site, post(2), comments, { older: post(1), newer: post(3), related: [post(4), post(5)] });
    const page = await open(html);
    await page.goto(`${ORIGIN}/posts/billet-2/`);
    const widths = await page.$$eval(".comment > article", (list) => list.map((a) => Math.round(a.getBoundingClientRect().width)));
    expect(widths).toHaveLength(comments.length);
    expect(Math.min(...widths)).toBeGreaterThanOrEqual(272);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    // Replies deeper than the indentation link to the comment they answer.
    const lines = await page.$$eval(".comment-in-reply-to a", (list) => list.map((a) => [a.textContent, a.getAttribute("href")]));
    const byName = new Map(comments.map((c) => [c.authorName, c.id]));
    for (let depth = 4; depth <= 10; depth++) {
      const parent = byName.get(`Niveau ${depth - 1}`)!;
      expect(lines.filter(([, href]) => href === `#comment-${parent}`)).toHaveLength(2);
    }
    expect(lines).toHaveLength(14);
    expect(lines[0][0]).toMatch(/^en réponse à Niveau 3 \(2\.1\.1\.1\)$/);
    // Shallow replies are still indented, each more than its parent.
    const left = (name: string) => page.locator(`#comment-${byName.get(name)} > article`).evaluate((a) => a.getBoundingClientRect().left);
    expect(await left("Niveau 1")).toBeGreaterThan(await left("Niveau 0"));
    expect(await left("Niveau 3")).toBeGreaterThan(await left("Niveau 2"));
    expect(await left("Niveau 7")).toBe(await left("Niveau 3"));
  });

  test("the site navigation, search form, previous/next and numbered paging fit without scrolling sideways", async () => {
    const posts = Array.from({ length: 20 }, (_, i) => post(i));
    const home = homePage(site, posts, {}, { page: 5, pageCount: 100, perPage: 20 });
    const page = await open(home);
    await page.goto(`${ORIGIN}/page/5/`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    // Every page link is a target of at least 24 px and named for screen readers.
    const links = await page.$$eval(".pagination a", (list) =>
      list.map((a) => ({ w: a.getBoundingClientRect().width, h: a.getBoundingClientRect().height, name: a.getAttribute("aria-label") ?? a.textContent })),
    );
    expect(links.length).toBe(9);
    for (const l of links) {
      expect(l.w).toBeGreaterThanOrEqual(24);
      expect(l.h).toBeGreaterThanOrEqual(24);
      expect(l.name?.trim()).toBeTruthy();
    }
    await expect(page.getByRole("searchbox", { name: "Rechercher dans le blog" }).count()).resolves.toBe(1);
    await expect(page.getByRole("link", { name: "page 5 sur 100" }).getAttribute("aria-current")).resolves.toBe("page");

    const postView = await open(postPage(site, post(2), [], { older: post(1), newer: post(3), related: [post(4)] }));
    await postView.goto(`${ORIGIN}/posts/billet-2/`);
    expect(await postView.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await expect(postView.locator('a[rel="prev"]').getAttribute("href")).resolves.toBe("/posts/billet-1/");
    await expect(postView.locator('a[rel="next"]').getAttribute("href")).resolves.toBe("/posts/billet-3/");
  });
});
