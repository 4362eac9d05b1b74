// Faces and the author's voice in Chromium: a face of the site's own on every comment, nothing
// from elsewhere; the signed-in author posts from the page with the badge, a reader is not offered it.
import { describe, expect, inject, test } from "vitest";
import { BASE, form, openPost, PAGE, scriptErrors, unique, useBrowser } from "./helpers.ts";

const browser = useBrowser();

describe("faces and the author's badge", () => {
  test("every comment shows a face served by the site, and the page asks no other host", async () => {
    const context = await browser.context();
    const page = await context.newPage();
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url()));
    page.on("requestfailed", (r) => console.log("FAILED", r.url(), r.failure()?.errorText));
    page.on("response", (r) => r.url().includes("avatars") && console.log("RESP", r.url(), r.status(), JSON.stringify(r.headers())));
    await page.goto(PAGE);
    const comments = page.locator("li.comment:not(.comment--removed) > article");
    const n = await comments.count();
    expect(n).toBeGreaterThanOrEqual(6);
    const srcs = await comments.evaluateAll((articles) => articles.map((a) => a.querySelector("img.comment-avatar")?.getAttribute("src") ?? null));
    for (const src of srcs) expect(src).toMatch(/^\/avatars\/[0-9a-f]{20}\.svg$/);
    for (const src of new Set(srcs)) {
      const res = await context.request.get(`${BASE}${src}`);
      expect(res.status()).toBe(200);
      expect(res.headers()["content-type"]).toBe("image/svg+xml");
    }
    // A face brought into view is drawn (they load lazily).
    const first = page.locator("img.comment-avatar").first();
    await first.scrollIntoViewIfNeeded();
    await expect.poll(() => first.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    for (const url of requested) expect(url.startsWith(BASE), url).toBe(true);
  });

  test("the author, signed in on the moderation page, posts from the page with the badge; a reader is not offered it", async () => {
    const reader = await openPost(await browser.context());
    expect(await reader.getByRole("checkbox", { name: /auteur/i }).count()).toBe(0);

    const context = await browser.context();
    const session = await context.request.post(`${BASE}/api/admin/session`, { headers: { Authorization: `Bearer ${inject("adminToken")}` } });
    expect(session.status()).toBe(200);
    const page = await openPost(context);
    const box = page.getByRole("checkbox", { name: "Publier comme auteur (badge « Auteur »)" });
    await box.check();
    const text = unique("Le mot de l’auteur");
    const f = form(page);
    await f.content.fill(text);
    await f.submit.click();
    const li = page.locator("li.comment", { has: page.locator(":scope > article .comment-body", { hasText: text }) });
    await expect.poll(() => li.count()).toBe(1);
    expect(await li.locator(".comment-badge").textContent()).toBe("Auteur");
    expect(await li.locator(".comment-author").textContent()).toBe("Arnaud");
    expect(scriptErrors(page)).toEqual([]);

    const later = await openPost(await browser.context());
    const seen = later.locator("li.comment", { has: later.locator(":scope > article .comment-body", { hasText: text }) });
    expect(await seen.locator(".comment-badge").textContent()).toBe("Auteur");
  });
});
