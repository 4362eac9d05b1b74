// billet's comments on another site (README, "Comments on any site"): a few plain HTML pages served
// from another origin (http://localhost:<port>, billet being on 127.0.0.1) under a strict CSP that
// allows only billet's script and connections, carrying embed.js; and a page whose HTML already has
// the thread's fragment, as a static build or an edge splice puts it, read with JavaScript off. A
// commenter changes their own comment there with the edit token embed.js kept.
import { createServer, type Server } from "node:http";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { approve, BASE, checkDeleteStepBack, checkEditBox, scriptErrors, unique, useBrowser } from "./helpers.ts";

const browser = useBrowser();
const HOST = inject("embedOrigin");

/** Host styles that would show if they leaked into billet's comments. */
const HOST_CSS = `body { letter-spacing: 3px; text-transform: uppercase; }
p, li { color: rgb(200, 0, 0) !important; }
li { list-style: square; margin-left: 60px; }
button { background: rgb(0, 128, 0); }
.comment-body, .field label { font-size: 40px; }`;

/**
 * What the page allows: billet's script and connections, its own inline style, and (for the no-JS
 * form, which posts to billet and is sent back to the page) form-action for both; nothing else.
 */
const CSP = `default-src 'none'; script-src ${BASE}; connect-src ${BASE}; img-src ${BASE}; style-src 'unsafe-inline'; form-action 'self' ${BASE}`;

function hostPage(body: string, title: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${title}</title><style>${HOST_CSS}</style></head><body><h1>${title}</h1><p class="comment-body">Un texte de la page hôte.</p>${body}</body></html>`;
}

const snippet = (path: string, inner = "") =>
  `<div id="billet-comments" data-billet-url="${HOST}${path}">${inner}</div><script src="${BASE}/embed.js" async></script>`;

// Each run its own pages: the threads are new, whatever ran before.
const run = unique("run").split(" ")[1];
const ARTICLE = `/notes/${run}/premier/`;
const STATIC = `/notes/${run}/statique/`;
const OWN = `/notes/${run}/le-sien/`;

let server: Server;
beforeAll(async () => {
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", HOST).pathname;
    let html: string;
    if (path === ARTICLE) html = hostPage(snippet(ARTICLE), "Premier billet");
    else if (path === OWN) html = hostPage(snippet(OWN), "Le sien");
    else if (path === "/notes/") {
      html = hostPage(
        `<ul><li><a href="${ARTICLE}">Premier billet</a> <span data-billet-count="${HOST}${ARTICLE}">…</span></li></ul><script src="${BASE}/embed.js" async></script>`,
        "Les notes",
      );
    } else if (path === STATIC) {
      // As a static build does (README: Eleventy, Hugo): the fragment fetched and placed in the element.
      const fragment = await (await fetch(`${BASE}/embed/comments?url=${encodeURIComponent(`${HOST}${STATIC}`)}&title=Statique`)).text();
      html = hostPage(snippet(STATIC, fragment), "Statique");
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(Number(new URL(HOST).port), "localhost", resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const postAnswer = (page: Page) => page.waitForResponse((r) => r.request().method() === "POST" && r.url().startsWith(`${BASE}/api/threads/comments`));

async function post(page: Page, name: string, text: string): Promise<number> {
  await page.getByRole("textbox", { name: "Nom (obligatoire)", exact: true }).fill(name);
  await page.getByRole("textbox", { name: "Commentaire (obligatoire)", exact: true }).fill(text);
  const answer = postAnswer(page);
  await page.getByRole("button", { name: "Publier le commentaire", exact: true }).click();
  const res = await answer;
  expect([201, 202]).toContain(res.status());
  return ((await res.json()) as { comment: { id: number } }).comment.id;
}

describe("embed.js on another site's page", () => {
  test("reads, posts and replies in a shadow root, sets no cookie, keeps the edit token, and counts", async () => {
    const context = await browser.context();
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await page.goto(`${HOST}${ARTICLE}`);
    await page.locator("#billet-comments .comment-form").waitFor();
    expect(await page.locator("#billet-comments").evaluate((el) => el.shadowRoot !== null)).toBe(true);
    expect(await page.locator("#billet-comments .no-comments").textContent()).toContain("Pas encore de réaction");

    // The preview: billet's own renderer, asked across sites.
    await page.locator("#billet-comments textarea[name=content]").fill("Un *aperçu*");
    await page.locator("#billet-comments button[aria-pressed]").click();
    await expect.poll(() => page.locator("#billet-comments .comment-preview em").textContent()).toBe("aperçu");
    await page.locator("#billet-comments button[aria-pressed]").click();

    const text = unique("Un avis sur une autre page.");
    const id = await post(page, "Zoé", text);
    await page.locator("#billet-comments .form-message--ok").waitFor();
    const kept = await page.evaluate(() => JSON.parse(localStorage.getItem("billet:tokens") ?? "{}"));
    expect(Object.keys(kept)).toEqual([String(id)]);
    expect((await context.cookies()).length).toBe(0);

    await approve(id);
    await page.reload();
    await page.locator(`#billet-comments #comment-${id}`).waitFor();
    expect(await page.locator(`#comment-${id} .comment-body`).textContent()).toContain(text);

    // A reply, from the reply link inside the shadow root.
    await page.locator(`#comment-${id} .comment-reply`).click();
    expect(await page.locator("#billet-comments input[name=parent_id]").inputValue()).toBe(String(id));
    const reply = await post(page, "Yann", unique("Une réponse."));
    await approve(reply);
    await page.reload();
    await page.locator(`#comment-${id} > article + ol.comment-replies > #comment-${reply}`).waitFor();

    // Styles: the host's do not reach in, billet's do not reach out.
    const inside = await page.locator(`#comment-${id} > article .comment-body p`).evaluate((el) => {
      const s = getComputedStyle(el);
      return { color: s.color, size: s.fontSize, transform: s.textTransform, spacing: s.letterSpacing };
    });
    expect(inside.color).not.toBe("rgb(200, 0, 0)");
    expect(inside.size).not.toBe("40px");
    expect(inside.transform).toBe("none");
    expect(inside.spacing).toBe("normal");
    expect(await page.locator(`#comment-${id}`).evaluate((el) => getComputedStyle(el).listStyleType)).toBe("none");
    expect(await page.locator("#billet-comments button[type=submit]").evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe("rgb(0, 128, 0)");
    const outside = await page.locator("body > p.comment-body").evaluate((el) => ({ color: getComputedStyle(el).color, size: getComputedStyle(el).fontSize }));
    expect(outside).toEqual({ color: "rgb(200, 0, 0)", size: "40px" });

    // The index page of the other site: the count by the page's address.
    const index = await context.newPage();
    await index.goto(`${HOST}/notes/`);
    await expect.poll(() => index.locator("[data-billet-count]").textContent()).toBe("2 réactions");
    expect(blocked).toEqual([]);
    expect(scriptErrors(page)).toEqual([]);
  });

  test("follows the host's color scheme", async () => {
    const context = await browser.context({ colorScheme: "dark" });
    const page = await context.newPage();
    await page.goto(`${HOST}${ARTICLE}`);
    await page.locator("#billet-comments .comment-form").waitFor();
    const text = () =>
      page
        .locator("#billet-comments .comment-list, #billet-comments .no-comments")
        .first()
        .evaluate((el) => getComputedStyle(el).color);
    const light = await text();
    // The host says it has a dark scheme: billet's text follows it.
    await page.evaluate(() => document.documentElement.style.setProperty("color-scheme", "dark"));
    await expect.poll(text).not.toBe(light);
    // And a host's theme colour reaches in through its custom property.
    await page.evaluate(() => document.getElementById("billet-comments")!.style.setProperty("--billet-accent", "rgb(1, 2, 3)"));
    await expect
      .poll(() =>
        page
          .locator("#billet-comments .comment-reply")
          .first()
          .evaluate((el) => getComputedStyle(el).color),
      )
      .toBe("rgb(1, 2, 3)");
  });
});

describe("the fragment in the host's HTML", () => {
  test("without JavaScript the comments are in the page, and its form posts and comes back", async () => {
    // A first comment, approved, so the fragment has one to show.
    const first = await fetch(`${BASE}/api/threads/comments`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: HOST },
      body: JSON.stringify({ url: `${HOST}${STATIC}`, author_name: "Léa", content: unique("Déjà là avant la page.") }),
    });
    expect(first.status).toBe(202);
    const firstId = ((await first.json()) as { comment: { id: number } }).comment.id;
    await approve(firstId);

    const context = await browser.context({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${HOST}${STATIC}`);
    expect(await page.locator(`#billet-comments #comment-${firstId} .comment-author`).textContent()).toBe("Léa");

    const text = unique("Envoyé sans JavaScript.");
    await page.getByRole("textbox", { name: "Nom (obligatoire)", exact: true }).fill("Noé");
    await page.getByRole("textbox", { name: "Commentaire (obligatoire)", exact: true }).fill(text);
    await page.getByRole("button", { name: "Publier le commentaire", exact: true }).click();
    await page.waitForURL((url) => url.pathname === STATIC && /^#comment-\d+$/.test(url.hash));
    const id = Number(new URL(page.url()).hash.slice("#comment-".length));
    await approve(id);
    await page.goto(`${HOST}${STATIC}`);
    expect(await page.locator(`#comment-${id} .comment-body`).textContent()).toContain(text);
  });

  test("with JavaScript, the section already there is moved into the shadow root, not fetched again", async () => {
    const context = await browser.context();
    const page = await context.newPage();
    const fragments: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(`${BASE}/embed/comments`)) fragments.push(r.url());
    });
    await page.goto(`${HOST}${STATIC}`);
    await expect
      .poll(() => page.locator("#billet-comments").evaluate((el) => el.shadowRoot?.querySelector(".comment-list") !== null && el.shadowRoot !== null))
      .toBe(true);
    expect(await page.locator("#billet-comments").evaluate((el) => el.querySelectorAll(":scope > section").length)).toBe(0);
    expect(fragments).toEqual([]);
  });
});

describe("one's own comment on another site, with the kept edit token", () => {
  /** A host page of the thread, its script errors kept in `errors`. */
  async function openOwn(context: BrowserContext, errors: string[]): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`${HOST}${OWN}`);
    await page.locator("#billet-comments .comment-form").waitFor();
    return page;
  }

  /** Posts, has it approved (the fragment shows published comments only), and shows the page again. */
  async function postShown(page: Page, text: string): Promise<number> {
    const id = await post(page, "Zoé", text);
    await approve(id);
    await page.reload();
    await page.locator(`#billet-comments #comment-${id}`).waitFor();
    return id;
  }

  // The focus inside the shadow root (the document's is the host element).
  const focused = (page: Page) =>
    page.locator("#billet-comments").evaluate((el) => {
      const a = el.shadowRoot!.activeElement;
      return `${a?.tagName} ${a?.id || a?.textContent}`;
    });
  const kept = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem("billet:tokens") ?? "{}") as Record<string, { content?: string }>);
  const answerTo = (page: Page, method: string, id: number) =>
    page.waitForResponse((r) => r.request().method() === method && r.url() === `${BASE}/api/comments/${id}`);

  test("the commenter edits it in place and deletes it after a confirmation; another reader sees no controls", async () => {
    const errors: string[] = [];
    const context = await browser.context();
    const page = await openOwn(context, errors);
    const text = unique("Un avis à corriger.");
    const id = await postShown(page, text);
    const li = page.locator(`#billet-comments #comment-${id}`);
    const controls = li.locator(".own-controls");
    await controls.waitFor();
    expect(await controls.locator(".own-left").textContent()).toMatch(/^encore 1[45] min$/);
    expect(await page.locator("#billet-comments .own-controls").count()).toBe(1);

    // Another reader of the page (their own browser) gets no controls on it.
    const other = await openOwn(await browser.context(), errors);
    await other.locator(`#billet-comments #comment-${id}`).waitFor();
    expect(await other.locator("#billet-comments .own-controls").count()).toBe(0);
    expect(await other.getByRole("button", { name: "Modifier", exact: true }).count()).toBe(0);

    expect(await li.getByRole("button", { name: "Modifier", exact: true }).getAttribute("aria-describedby")).toBe(`comment-${id}-by`);
    const { edit, box } = await checkEditBox(page, li, id, text, focused);

    const fixed = `${unique("Corrigé")} **ailleurs**`;
    await box.fill(fixed);
    const patched = answerTo(page, "PATCH", id);
    await li.getByRole("button", { name: "Enregistrer" }).click();
    const patch = await patched;
    expect(patch.status()).toBe(200);
    expect(patch.request().headers()["x-edit-token"]).toMatch(/.{16}/);
    await li.locator(".comment-edited").waitFor();
    expect(await li.locator(".comment-body strong").textContent()).toBe("ailleurs");
    expect(await li.locator(".comment-body").textContent()).not.toContain(text);
    // The fragment was read again: the controls are back, once.
    await li.locator(".own-controls").waitFor();
    expect(await li.locator(".own-controls").count()).toBe(1);
    // The new text is the one to edit next, after a reload too.
    expect((await kept(page))[id]?.content).toBe(fixed);
    await page.reload();
    await edit.click();
    expect(await box.inputValue()).toBe(fixed);
    await page.keyboard.press("Escape");

    const { remove, confirm } = await checkDeleteStepBack(page, li, focused);

    await remove.click();
    const deleted = answerTo(page, "DELETE", id);
    await confirm.getByRole("button", { name: "Oui, supprimer" }).click();
    expect((await deleted).status()).toBe(204);
    await li.waitFor({ state: "detached" });
    await expect.poll(() => focused(page)).toMatch(/^H2 comments-title$/);
    expect(Object.keys(await kept(page))).not.toContain(String(id));
    await page.reload();
    await page.locator("#billet-comments .comment-form").waitFor();
    expect(await li.count()).toBe(0);
    expect((await context.cookies()).length).toBe(0);
    expect(errors).toEqual([]);
  });

  test("the controls go when the window ends, and a token whose window has ended gives none", async () => {
    const errors: string[] = [];
    const context = await browser.context();
    const page = await context.newPage();
    page.on("pageerror", (err) => errors.push(err.message));
    await page.clock.install();
    await page.goto(`${HOST}${OWN}`);
    await page.locator("#billet-comments .comment-form").waitFor();
    const id = await postShown(page, unique("Bientôt figé ailleurs."));
    const controls = page.locator(`#billet-comments #comment-${id} .own-controls`);
    await controls.waitFor();
    await page.clock.fastForward("10:00");
    expect(await controls.locator(".own-left").textContent()).toMatch(/^encore [45] min$/);
    await page.clock.fastForward("06:00");
    await controls.waitFor({ state: "detached" });
    expect(await page.locator(`#billet-comments #comment-${id} button.own-button`).count()).toBe(0);
    // Shown again later, the comment has no controls, and its token is dropped.
    await page.reload();
    await page.locator(`#billet-comments #comment-${id}`).waitFor();
    await page.locator("#billet-comments .comment-form").waitFor();
    expect(await page.locator("#billet-comments .own-controls").count()).toBe(0);
    expect(await kept(page)).toEqual({});
    expect(errors).toEqual([]);
  });
});
