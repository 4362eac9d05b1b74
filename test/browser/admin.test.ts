// The moderation page (/admin/) in Chromium, as the blog's author uses it on a phone: the token
// asked for (a wrong one refused), the pending comments listed with what the moderator needs,
// a comment approved (it appears on the post) or marked spam (it moves to the spam tab), several
// deleted at once, one deleted for good; a hostile name shown as text; a refused token asks again.
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { launch } from "./chromium.ts";
import { limitWaits } from "./helpers.ts";

const BASE = inject("baseUrl");
const TOKEN = inject("adminToken");
const SLUG = "reseaux-sociaux-trois-ans-apres";
const ADMIN = `${BASE}/admin/`;
const HOSTILE = "<img src=x onerror=alert(1)>";
const tag = randomUUID().slice(0, 8);

interface Posted {
  id: number;
  name: string;
  content: string;
  email: string;
}

/** A comment through the JSON API, held for moderation (a first comment from this email). */
async function postComment(name: string, content: string, email: string, url?: string): Promise<Posted> {
  const res = await fetch(`${BASE}/api/posts/${SLUG}/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ author_name: name, author_email: email, author_url: url, content }),
  });
  expect(res.status).toBe(202);
  const body = (await res.json()) as { comment: { id: number }; status: string };
  expect(body.status).toBe("pending");
  return { id: body.comment.id, name, content, email };
}

async function adminStatus(id: number): Promise<string | null> {
  for (const status of ["pending", "approved", "spam", "deleted"]) {
    const res = await fetch(`${BASE}/api/admin/comments?status=${status}&limit=200`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { comments: { id: number }[] };
    if (body.comments.some((c) => c.id === id)) return status;
  }
  return null;
}

let browser: Browser;
const contexts: BrowserContext[] = [];
// Posted oldest first, so the page (newest first) lists them as alice, bob, mallory, dave.
let dave: Posted, mallory: Posted, bob: Posted, alice: Posted;

beforeAll(async () => {
  browser = await launch();
  dave = await postComment(`Dave ${tag}`, `Dave’s comment ${tag}`, `dave-${tag}@example.org`);
  mallory = await postComment(HOSTILE, `Mallory’s comment ${tag} <script>alert(2)</script>`, `mallory-${tag}@example.org`);
  bob = await postComment(`Bob ${tag}`, `Bob’s comment ${tag}, buy now`, `bob-${tag}@example.org`);
  alice = await postComment(`Alice ${tag}`, `Alice’s *comment* ${tag}`, `alice-${tag}@example.org`, "https://alice.example.org/blog");
});

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
});

/** A phone-sized window in French, with what the page's scripts did wrong and any dialog it opened. */
async function openAdmin(options: { colorScheme?: "light" | "dark" } = {}): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const context = limitWaits(await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "fr-FR", ...options }));
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void (d.type() === "confirm" && acceptConfirm.has(page) ? d.accept() : d.dismiss());
  });
  const res = await page.goto(ADMIN);
  expect(res?.status()).toBe(200);
  return { page, errors, dialogs };
}
const acceptConfirm = new WeakSet<Page>();

const ui = (page: Page) => ({
  token: page.getByLabel("Jeton d’administration", { exact: true }),
  signIn: page.getByRole("button", { name: "Se connecter", exact: true }),
  tokenError: page.locator("#token-error"),
  logout: page.getByRole("button", { name: "Se déconnecter", exact: true }),
  list: page.locator("#list"),
  heading: page.locator("#list-title"),
  status: page.getByRole("status"),
  alert: page.locator("#alert"),
  // A tab's name, followed by how many comments it holds once the counts have arrived.
  tab: (name: string) => page.getByRole("navigation", { name: "États des commentaires" }).getByRole("link", { name: new RegExp(`^${name}( \\(\\d+\\))?$`) }),
  bulk: (name: string) => page.getByRole("group", { name: "Pour la sélection" }).getByRole("button", { name, exact: true }),
  /** One comment's card, found by its accessible name (its heading). */
  card: (c: Posted) => page.getByRole("article", { name: `${c.name} #${c.id}`, exact: true }),
  pick: (c: Posted) => page.getByRole("checkbox", { name: `Sélectionner le commentaire ${c.id} de ${c.name}`, exact: true }),
});

async function signIn(page: Page): Promise<void> {
  const u = ui(page);
  await u.token.fill(TOKEN);
  await u.signIn.click();
  await u.list.locator("li").first().waitFor();
}

describe("the moderation page", () => {
  test("is kept out of search engines", async () => {
    const { page } = await openAdmin();
    expect(await page.locator('meta[name="robots"]').getAttribute("content")).toContain("noindex");
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    const robots = await (await fetch(`${BASE}/robots.txt`)).text();
    expect(robots.split("\n")).toContain("Disallow: /admin/");
  });

  test("refuses a wrong token, takes the right one, keeps it for the tab and forgets it on log out", async () => {
    const { page, errors } = await openAdmin();
    const u = ui(page);
    expect(await u.token.getAttribute("type")).toBe("password");
    expect(await page.locator("#app").isVisible()).toBe(false);

    await u.token.fill("not-the-token");
    await u.signIn.click();
    await u.tokenError.filter({ hasText: /./ }).waitFor();
    expect(await u.tokenError.textContent()).toBe("Ce jeton n’est pas le bon.");
    expect(await u.tokenError.getAttribute("role")).toBe("alert");
    expect(await u.token.getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("token");
    expect(await page.locator("#app").isVisible()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await signIn(page);
    expect(await u.token.isVisible()).toBe(false);
    expect(await u.heading.textContent()).toMatch(/^En attente \(\d+\+?\)$/);
    expect(await u.tab("En attente").getAttribute("aria-current")).toBe("page");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("list-title");

    // Still signed in after a reload (same tab); signed out, the token is gone.
    await page.reload();
    await u.list.locator("li").first().waitFor();
    await u.logout.click();
    expect(await u.token.isVisible()).toBe(true);
    expect(await page.locator("#app").isVisible()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    expect(await u.token.isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  test("lists pending comments newest first with where, who, when and why, hostile text as text", async () => {
    const { page, errors, dialogs } = await openAdmin();
    await signIn(page);
    const u = ui(page);
    const ids = await u.list.locator("li.item").evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.id)));
    const mine = ids.filter((id) => [alice.id, bob.id, mallory.id, dave.id].includes(id));
    expect(mine).toEqual([alice.id, bob.id, mallory.id, dave.id]);

    const card = u.card(alice);
    expect(await card.locator(".author").textContent()).toBe(alice.name);
    const post = card.getByRole("link", { name: "Réseaux sociaux, trois ans après" });
    expect(await post.getAttribute("href")).toBe(`/posts/${SLUG}/#comment-${alice.id}`);
    expect(await card.getByRole("link", { name: alice.email }).getAttribute("href")).toBe(`mailto:${alice.email}`);
    expect(await card.getByRole("link", { name: "alice.example.org/blog" }).getAttribute("href")).toBe("https://alice.example.org/blog");
    expect(await card.locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await card.locator(".held").textContent()).toBe("Motif\u00a0: premier commentaire de cette personne");
    // The server's rendered HTML: the Markdown is emphasis.
    expect(await card.locator(".body em").textContent()).toBe("comment");
    expect(await card.getByRole("button").allTextContents()).toEqual(["Approuver", "Indésirable", "Supprimer"]);

    // The hostile name is text, in the heading, the checkbox's name and the actions' group; nothing ran.
    const hostile = u.card(mallory);
    expect(await hostile.locator(".author").textContent()).toBe(HOSTILE);
    expect(await u.pick(mallory).count()).toBe(1);
    expect(await hostile.locator(".body").textContent()).toContain("<script>alert(2)</script>");
    expect(await u.list.locator("img, script").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);

    // A phone's width: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  });

  test("loads more comments with the cursor, in order, without repeating any", async () => {
    const { page, errors } = await openAdmin();
    // Pages of two, so that a few comments make several pages.
    await page.route(/\/api\/admin\/comments\?/, (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set("limit", "2");
      return route.continue({ url: url.toString() });
    });
    await signIn(page);
    const u = ui(page);
    const ids = () => u.list.locator("li.item").evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.id)));
    expect(await ids()).toEqual([alice.id, bob.id]);
    expect(await u.heading.textContent()).toBe("En attente (2+)");
    const more = page.getByRole("button", { name: "Charger plus", exact: true });
    await more.click();
    await u.list.locator("li.item").nth(3).waitFor();
    expect(await ids()).toEqual([alice.id, bob.id, mallory.id, dave.id]);
    expect(await u.status.textContent()).toBe("2 commentaires de plus.");
    expect(await page.locator("#list-count").textContent()).toMatch(/^\(4\+?\)$/);
    expect(errors).toEqual([]);
  });

  test("approving with the keyboard publishes the comment and moves on to the next one", async () => {
    const { page, errors } = await openAdmin();
    await signIn(page);
    const u = ui(page);
    await u.card(alice).getByRole("button", { name: "Approuver" }).focus();
    await page.keyboard.press("Enter");
    await u.card(alice).waitFor({ state: "detached" });
    expect(await u.status.textContent()).toBe(`Commentaire ${alice.id} de ${alice.name} approuvé.`);
    // The focus is on the next comment's Approve button, ready for the next decision.
    expect(await page.evaluate(() => [document.activeElement?.textContent, document.activeElement?.closest("li")?.dataset.id])).toEqual([
      "Approuver",
      String(bob.id),
    ]);
    expect(await adminStatus(alice.id)).toBe("approved");

    // On the post page, for any reader.
    const reader = limitWaits(await browser.newContext());
    contexts.push(reader);
    const post = await reader.newPage();
    await post.goto(`${BASE}/posts/${SLUG}/`);
    expect(await post.locator(`#comment-${alice.id} .comment-author`).first().textContent()).toBe(alice.name);

    // And in the Approved tab, where it can go back to the queue.
    await u.tab("Approuvés").click();
    await u.card(alice).waitFor();
    expect(await u.tab("Approuvés").getAttribute("aria-current")).toBe("page");
    expect(await u.heading.textContent()).toMatch(/^Approuvés \(\d+\+?\)$/);
    expect(await u.card(alice).getByRole("button").allTextContents()).toEqual(["Remettre en attente", "Indésirable", "Supprimer", "Épingler le fil"]);
    expect(errors).toEqual([]);
  });

  test("a comment marked as spam leaves the queue for the spam tab", async () => {
    const { page, errors } = await openAdmin();
    await signIn(page);
    const u = ui(page);
    await u.card(bob).getByRole("button", { name: "Indésirable" }).click();
    await u.card(bob).waitFor({ state: "detached" });
    expect(await u.status.textContent()).toBe(`Commentaire ${bob.id} de ${bob.name} classé indésirable.`);
    expect(await adminStatus(bob.id)).toBe("spam");

    // The tabs say how many comments each state holds.
    await expect.poll(async () => Number(/\((\d+)\)/.exec((await u.tab("Indésirables").textContent()) ?? "")?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
    await u.tab("Indésirables").click();
    await u.card(bob).waitFor();
    expect(page.url()).toBe(`${ADMIN}#spam`);
    // Marked by hand: the reason is the moderator's decision, no longer the automatic hold.
    expect(await u.card(bob).locator(".held").textContent()).toBe("Motif\u00a0: votre décision");
    expect(await u.card(bob).getByRole("button").allTextContents()).toEqual(["Approuver", "Remettre en attente", "Supprimer", "Supprimer définitivement"]);
    expect(errors).toEqual([]);
  });

  test("several comments are deleted at once; one is then deleted for good, after a confirmation", async () => {
    const { page, errors, dialogs } = await openAdmin();
    await signIn(page);
    const u = ui(page);
    const selectAll = page.getByRole("checkbox", { name: "Tout sélectionner", exact: true });

    // Nothing selected: the bulk buttons are marked disabled, yet stay reachable and say why.
    expect(await u.bulk("Supprimer").getAttribute("aria-disabled")).toBe("true");
    await u.bulk("Supprimer").focus();
    await page.keyboard.press("Enter");
    expect(await u.status.textContent()).toBe("Sélectionnez d’abord un ou plusieurs commentaires.");
    expect(await adminStatus(dave.id)).toBe("pending");

    // Select all selects every listed comment; unticking one leaves "select all" mixed.
    await selectAll.check();
    const boxes = u.list.getByRole("checkbox");
    expect(await boxes.evaluateAll((els) => els.every((e) => (e as HTMLInputElement).checked))).toBe(true);
    const listed = await boxes.count();
    expect(await page.locator("#selected-count").textContent()).toBe(listed === 1 ? "1 sélectionné" : `${listed} sélectionnés`);
    await selectAll.uncheck();
    await u.pick(dave).check();
    expect(await selectAll.evaluate((e) => (e as HTMLInputElement).indeterminate)).toBe(listed > 1);
    await u.pick(mallory).check();
    expect(await page.locator("#selected-count").textContent()).toBe("2 sélectionnés");

    await u.bulk("Supprimer").click();
    await u.card(dave).waitFor({ state: "detached" });
    expect(await u.card(mallory).count()).toBe(0);
    expect(await u.status.textContent()).toBe("2 commentaires mis à la corbeille.");
    expect(await page.locator("#selected-count").textContent()).toBe("0 sélectionné");
    expect(await adminStatus(dave.id)).toBe("deleted");
    expect(await adminStatus(mallory.id)).toBe("deleted");

    // In the bin; "delete for good" asks first, and cancelling changes nothing.
    await u.tab("Corbeille").click();
    await u.card(dave).waitFor();
    expect(await u.card(mallory).locator(".author").textContent()).toBe(HOSTILE);
    const purge = u.card(dave).getByRole("button", { name: "Supprimer définitivement" });
    await purge.click();
    expect(dialogs).toEqual([`Supprimer définitivement le commentaire ${dave.id} de ${dave.name} ? C’est irréversible.`]);
    expect(await u.card(dave).count()).toBe(1);
    expect(await adminStatus(dave.id)).toBe("deleted");

    acceptConfirm.add(page);
    await purge.click();
    await u.card(dave).waitFor({ state: "detached" });
    expect(await u.status.textContent()).toBe(`Commentaire ${dave.id} de ${dave.name} supprimé définitivement.`);
    expect(await adminStatus(dave.id)).toBe(null);
    expect(errors).toEqual([]);
  });

  test("a failed action is said in an alert and the comment stays; a refused token asks for it again", async () => {
    const pending = await postComment(`Eve ${tag}`, `Eve’s comment ${tag}`, `eve-${tag}@example.org`);
    const { page, errors } = await openAdmin({ colorScheme: "dark" });
    await signIn(page);
    const u = ui(page);
    // Dark mode follows the system.
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g)!.map(Number);
    expect(r + g + b).toBeLessThan(150);

    // The database is down for a moment.
    await page.route(`**/api/admin/comments/${pending.id}/approve`, (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "storage_unavailable", message: "Storage is unavailable." } }),
      }),
    );
    await u.card(pending).getByRole("button", { name: "Approuver" }).click();
    await u.alert.filter({ hasText: /./ }).waitFor();
    expect(await u.alert.textContent()).toBe(
      `Commentaire ${pending.id} de ${pending.name} : La base de données est momentanément indisponible ; rien n’a changé. Réessayez dans un instant.`,
    );
    expect(await u.alert.getAttribute("role")).toBe("alert");
    expect(await u.card(pending).count()).toBe(1);
    expect(await adminStatus(pending.id)).toBe("pending");

    // The token changed on the server: the next call is refused, and the page asks again.
    await page.unroute(`**/api/admin/comments/${pending.id}/approve`);
    await page.route(`**/api/admin/comments/${pending.id}/spam`, (route) =>
      route.fulfill({
        status: 401,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "unauthorized", message: "A valid admin token is required." } }),
      }),
    );
    await u.card(pending).getByRole("button", { name: "Indésirable" }).click();
    await u.tokenError.filter({ hasText: /./ }).waitFor();
    expect(await u.tokenError.textContent()).toBe("Le jeton a été refusé : entrez-le à nouveau.");
    expect(await page.locator("#app").isVisible()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await signIn(page);
    expect(await u.card(pending).count()).toBe(1);
    expect(await u.alert.textContent()).toBe("");
    expect(errors).toEqual([]);
  });
});
