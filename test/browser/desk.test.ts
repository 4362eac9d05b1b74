// The author's desk on the moderation page (/admin/), in Chromium against the real Worker: search in
// a tab, the one-key shortcuts (j, k, a, s, d, u, ?) and the Undo button, why the learning filter
// sent a comment to spam (in words), blocking a commenter from a comment and by hand, the log of
// every decision with links to the comments, and a commenter's data exported and erased; at a
// phone's width, light and dark, without a script error.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { launch } from "./chromium.ts";
import { limitWaits } from "./helpers.ts";

const BASE = inject("baseUrl");
const TOKEN = inject("adminToken");
const SLUG = "reseaux-sociaux-trois-ans-apres";
const ADMIN = `${BASE}/admin/`;
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const tag = randomUUID().slice(0, 8);

type Status = "pending" | "approved" | "spam" | "deleted";

interface Posted {
  id: number;
  name: string;
  email: string;
}

interface AdminView {
  id: number;
  status: Status;
  held_for: string | null;
  spam_score: number | null;
  spam_reasons: string[];
}

/** A comment through the JSON API (202: held or, quietly, sent to spam). */
async function postComment(name: string, content: string, email: string, url?: string): Promise<Posted> {
  const res = await fetch(`${BASE}/api/posts/${SLUG}/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ author_name: name, author_email: email, author_url: url, content }),
  });
  expect(res.status).toBe(202);
  const body = (await res.json()) as { comment: { id: number } };
  return { id: body.comment.id, name, email };
}

async function adminApi(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${BASE}${path}`, {
    method,
    headers: { ...AUTH, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

async function bulk(ids: number[], action: string): Promise<void> {
  expect((await adminApi("POST", "/api/admin/comments/bulk", { ids, action })).status).toBe(200);
}

/** Where a comment is now, as the admin API says (null: purged or erased). */
async function adminView(id: number): Promise<AdminView | null> {
  for (const status of ["pending", "approved", "spam", "deleted"]) {
    const res = await adminApi("GET", `/api/admin/comments?status=${status}&limit=1&cursor=${id + 1}`);
    expect(res.status).toBe(200);
    const [c] = ((await res.json()) as { comments: AdminView[] }).comments;
    if (c?.id === id) return c;
  }
  return null;
}

let browser: Browser;
const contexts: BrowserContext[] = [];
/** Comments that taught the filter: unlearned and purged at the end, so no other test meets a trained filter. */
const trained: number[] = [];
const leftovers: number[] = [];

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  if (trained.length) await bulk(trained, "pending");
  if (trained.length || leftovers.length) await bulk([...trained, ...leftovers], "purge");
});

const acceptConfirm = new WeakSet<Page>();

/** A phone-sized window in French, with the page's script errors and the dialogs it opened. */
async function openAdmin(hash = "", options: { colorScheme?: "light" | "dark" } = {}): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const context = limitWaits(await browser.newContext({ viewport: { width: 412, height: 900 }, locale: "fr-FR", acceptDownloads: true, ...options }));
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void (d.type() === "confirm" && acceptConfirm.has(page) ? d.accept() : d.dismiss());
  });
  expect((await page.goto(ADMIN + hash))?.status()).toBe(200);
  await page.getByLabel("Jeton d’administration", { exact: true }).fill(TOKEN);
  await page.getByRole("button", { name: "Se connecter", exact: true }).click();
  await page.locator("#app").waitFor();
  return { page, errors, dialogs };
}

const ui = (page: Page) => ({
  list: page.locator("#list"),
  heading: page.locator("#list-title"),
  status: page.getByRole("status"),
  alert: page.locator("#alert"),
  search: page.getByRole("searchbox", { name: "Rechercher dans cet onglet", exact: true }),
  searchButton: page.getByRole("search").getByRole("button", { name: "Rechercher", exact: true }),
  tool: (name: string) => page.getByRole("navigation", { name: "Outils de modération" }).getByRole("link", { name, exact: true }),
  tab: (name: string) => page.getByRole("navigation", { name: "États des commentaires" }).getByRole("link", { name: new RegExp(`^${name}( \\(\\d+\\))?$`) }),
  card: (c: Posted) => page.getByRole("article", { name: `${c.name} #${c.id}`, exact: true }),
  ids: () => page.locator("#list li.item").evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.id))),
  focused: () =>
    page.evaluate(() => ({ id: document.activeElement?.id ?? "", item: Number(document.activeElement?.closest<HTMLElement>("li.item")?.dataset.id ?? 0) })),
});

/** Searches the tab and waits for its answer. */
async function search(page: Page, words: string): Promise<void> {
  const u = ui(page);
  await u.search.fill(words);
  const answer = page.waitForResponse((r) => r.url().includes("/api/admin/comments?") && new URL(r.url()).searchParams.get("q") === words);
  await u.search.press("Enter");
  await answer;
  await expect.poll(() => u.list.getAttribute("aria-busy")).toBe(null);
}

/** The status line once it says something matching `text`. */
async function said(page: Page, text: string | RegExp): Promise<void> {
  await expect
    .poll(async () => ((await ui(page).status.textContent()) ?? "").replace(/\u00a0$/, ""))
    .toMatch(text instanceof RegExp ? text : new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
}

describe("the author's desk", () => {
  test("search narrows a tab to the comments holding every word; the count and load more follow; clearing brings the tab back", async () => {
    const word = `zeppelin${tag}`;
    const a = await postComment(`Ana ${tag}`, `Un ${word} au-dessus du lac, quelle vue`, `ana-${tag}@example.org`);
    const b = await postComment(`Bruno ${tag}`, `Le ${word} était en retard`, `bruno-${tag}@example.org`);
    const c = await postComment(`Chloé ${tag}`, `Rien à voir ${tag}`, `chloe-${tag}@example.org`, `https://lac-${tag}.example/`);
    leftovers.push(a.id, b.id, c.id);
    const { page, errors } = await openAdmin();
    // Pages of two, so the search's results make two pages.
    await page.route(/\/api\/admin\/comments\?/, (route) => {
      const url = new URL(route.request().url());
      if (url.searchParams.get("limit") === "50") url.searchParams.set("limit", "2");
      return route.continue({ url: url.toString() });
    });
    const u = ui(page);
    await page.reload();
    await u.list.locator("li").first().waitFor();

    await search(page, word);
    expect(await u.ids()).toEqual([b.id, a.id]);
    expect(await u.heading.textContent()).toBe(`En attente · « ${word} » (2)`);
    expect(await u.status.textContent()).toBe(`En attente · « ${word} » : 2 commentaires.`);

    // Every word must be found, in the name, the email, the website or the text.
    await search(page, `${word} lac`);
    expect(await u.ids()).toEqual([a.id]);
    await search(page, `lac-${tag}`);
    expect(await u.ids()).toEqual([c.id]);
    await search(page, tag);
    expect(await u.ids()).toEqual([c.id, b.id]);
    expect(await u.heading.textContent()).toBe(`En attente · « ${tag} » (2+)`);
    await page.getByRole("button", { name: "Charger plus", exact: true }).click();
    await u.list.locator("li.item").nth(2).waitFor();
    expect(await u.ids()).toEqual([c.id, b.id, a.id]);
    expect(await u.heading.textContent()).toBe(`En attente · « ${tag} » (3)`);
    await search(page, `nothing-${tag}`);
    expect(await page.locator("#empty").textContent()).toBe(`Aucun commentaire ne correspond à « nothing-${tag} » dans cet onglet.`);

    // Each tab keeps its own search; emptying the field shows the whole tab again.
    await u.tab("Indésirables").click();
    await expect.poll(() => u.search.inputValue()).toBe("");
    await u.tab("En attente").click();
    await expect.poll(() => u.search.inputValue()).toBe(`nothing-${tag}`);
    const whole = page.waitForResponse((r) => r.url().includes("/api/admin/comments?status=pending") && !new URL(r.url()).searchParams.has("q"));
    await u.search.fill("");
    await whole;
    await u.list.locator("li.item").first().waitFor();
    expect(await u.heading.textContent()).toMatch(/^En attente \(2\+\)$/);
    expect(errors).toEqual([]);
  });

  test("j and k go from comment to comment; a, s and d act on the one in focus; u and the Undo button put it back", async () => {
    const k1 = await postComment(`Kilo ${tag}`, `Premier des trois ${tag}`, `kilo-${tag}@example.org`);
    const k2 = await postComment(`Lima ${tag}`, `Deuxième des trois ${tag}`, `lima-${tag}@example.org`);
    const k3 = await postComment(`Mike ${tag}`, `Troisième des trois ${tag}`, `mike-${tag}@example.org`);
    const { page, errors } = await openAdmin();
    const u = ui(page);
    await search(page, `des trois ${tag}`);
    expect(await u.ids()).toEqual([k3.id, k2.id, k1.id]);

    // In the search field, keys are typed, not taken.
    await u.search.press("a");
    expect(await u.search.inputValue()).toBe(`des trois ${tag}a`);
    await u.search.fill(`des trois ${tag}`);
    expect((await adminView(k3.id))?.status).toBe("pending");

    // From the list's heading: j to the first comment's heading, j, then k back.
    await u.heading.focus();
    await page.keyboard.press("j");
    expect(await u.focused()).toEqual({ id: `c${k3.id}-title`, item: k3.id });
    await page.keyboard.press("j");
    expect(await u.focused()).toEqual({ id: `c${k2.id}-title`, item: k2.id });
    await page.keyboard.press("k");
    expect(await u.focused()).toEqual({ id: `c${k3.id}-title`, item: k3.id });
    await page.keyboard.press("k");
    await said(page, "C’est le premier commentaire de la liste.");

    // a approves the comment in focus; the focus goes on to the next one's heading.
    await page.keyboard.press("a");
    await u.card(k3).waitFor({ state: "detached" });
    await said(page, `Commentaire ${k3.id} de ${k3.name} approuvé.`);
    expect(await u.focused()).toEqual({ id: `c${k2.id}-title`, item: k2.id });
    expect((await adminView(k3.id))?.status).toBe("approved");

    // u puts it back in the queue (the filter unlearns), in its place, in focus.
    await page.keyboard.press("u");
    await u.card(k3).waitFor();
    await said(page, `Annulé : commentaire ${k3.id} de ${k3.name} de nouveau en attente.`);
    expect(await u.ids()).toEqual([k3.id, k2.id, k1.id]);
    expect(await u.focused()).toEqual({ id: `c${k3.id}-title`, item: k3.id });
    expect((await adminView(k3.id))?.status).toBe("pending");
    await page.keyboard.press("u");
    await said(page, "Rien à annuler.");

    // s marks it as spam; d deletes the next; the Undo button undoes the delete.
    await page.keyboard.press("s");
    await u.card(k3).waitFor({ state: "detached" });
    await said(page, `Commentaire ${k3.id} de ${k3.name} classé indésirable.`);
    expect((await adminView(k3.id))?.status).toBe("spam");
    await page.keyboard.press("u");
    await u.card(k3).waitFor();
    expect((await adminView(k3.id))?.status).toBe("pending");
    expect(await u.focused()).toEqual({ id: `c${k3.id}-title`, item: k3.id });
    await page.keyboard.press("j");
    expect(await u.focused()).toEqual({ id: `c${k2.id}-title`, item: k2.id });
    await page.keyboard.press("d");
    await u.card(k2).waitFor({ state: "detached" });
    expect((await adminView(k2.id))?.status).toBe("deleted");
    expect(await u.focused()).toEqual({ id: `c${k1.id}-title`, item: k1.id });
    const undoButton = page.getByRole("button", { name: `Annuler : Commentaire ${k2.id} de ${k2.name} mis à la corbeille.`, exact: true });
    expect(await undoButton.textContent()).toBe("Annuler");
    await undoButton.click();
    await u.card(k2).waitFor();
    await said(page, `Annulé : commentaire ${k2.id} de ${k2.name} de nouveau en attente.`);
    expect((await adminView(k2.id))?.status).toBe("pending");
    expect(await undoButton.isVisible()).toBe(false);

    // In the bin, a comment deleted for good cannot come back: u says so.
    await page.keyboard.press("d");
    await u.card(k2).waitFor({ state: "detached" });
    await u.tab("Corbeille").click();
    await search(page, tag);
    acceptConfirm.add(page);
    await u.card(k2).getByRole("button", { name: "Supprimer définitivement" }).click();
    await u.card(k2).waitFor({ state: "detached" });
    await page.keyboard.press("u");
    await said(page, "Une suppression définitive ne peut pas être annulée.");
    expect(await adminView(k2.id)).toBe(null);

    // ? (or the button) shows the shortcuts; Escape closes the help and the focus comes back.
    await u.tab("En attente").click();
    await u.card(k1).waitFor();
    await u.card(k1).locator(".card-title").focus();
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Raccourcis clavier" });
    await help.waitFor();
    expect(await help.locator("dt").allTextContents()).toEqual(["j", "k", "a", "s", "d", "u", "?"]);
    expect(await help.locator("dd").first().textContent()).toBe("commentaire suivant");
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });
    expect(await u.focused()).toEqual({ id: `c${k1.id}-title`, item: k1.id });
    await page.getByRole("button", { name: "Raccourcis clavier", exact: true }).click();
    await help.waitFor();
    await help.getByRole("button", { name: "Fermer", exact: true }).click();
    await help.waitFor({ state: "hidden" });
    leftovers.push(k1.id, k3.id);
    expect(errors).toEqual([]);
  });

  test("a comment the learning filter sent to spam says why, in words", async () => {
    // Teach the filter: 30 comments selling a casino marked spam, 30 plain French comments approved
    // (it files nothing as spam before it has learned 30 of each).
    const spam: number[] = [];
    const ham: number[] = [];
    for (let i = 0; i < 30; i++) {
      spam.push(
        (
          await postComment(
            `Casino King ${i}`,
            `Cheap casino bonus ${i}${tag}: win big money now at [casino](https://casino.example/win-${i})`,
            `king${i}-${tag}@casino.example`,
            "https://casino.example/",
          )
        ).id,
      );
      ham.push(
        (
          await postComment(
            `Lecteur ${i} ${tag}`,
            `Merci pour ce billet, je le trouve juste et nuancé ; la suite est dans la série numéro ${i}${tag}.`,
            `lecteur${i}-${tag}@example.fr`,
          )
        ).id,
      );
    }
    trained.push(...spam, ...ham);
    await bulk(spam, "spam");
    await bulk(ham, "approve");

    const caught = await postComment(
      "Casino King",
      `Cheap casino bonus ${tag}: win big money now at [casino](https://casino.example/win)`,
      `king-${tag}@casino.example`,
      "https://casino.example/",
    );
    trained.push(caught.id);
    const seen = await adminView(caught.id);
    expect(seen).toMatchObject({ status: "spam", held_for: "filter" });
    expect(seen!.spam_score).toBeGreaterThanOrEqual(0.9);
    expect(seen!.spam_reasons.length).toBeGreaterThan(0);

    const { page, errors } = await openAdmin("#spam");
    const u = ui(page);
    await search(page, `king-${tag}`);
    const held = u.card(caught).locator(".held");
    const text = (await held.textContent()) ?? "";
    const score = new Intl.NumberFormat("fr", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(seen!.spam_score!);
    expect(text).toMatch(new RegExp(`^Motif\\u00a0: ressemble à du spam \\(${score}\\) : .+`));
    // Each clue in words: a link's host, the website, the name; words and pairs as they are.
    const words: Record<string, (v: string) => string> = {
      host: (v) => `lien vers ${v}`,
      site: (v) => `site ${v}`,
      name: (v) => `nom « ${v} »`,
      mail: (v) => `e-mail chez ${v}`,
    };
    // The features that are not words say what they are.
    const marks: Record<string, string> = { money: "sommes d’argent", shouting: "texte en capitales", repeated: "caractères répétés" };
    for (const clue of seen!.spam_reasons) {
      const [kind, value] = clue.includes(":") ? clue.split(/:(.*)/s) : ["", clue];
      if (!kind && clue in marks) expect(text).toContain(marks[clue]);
      else if (!kind) expect(text).toContain(clue);
      else if (kind in words) expect(text).toContain(words[kind](value));
      else if (kind === "links") expect(text).toMatch(/\d liens?/);
    }
    expect(text).not.toMatch(/\b(host|site|name|links|mail|script|lang|length):/);

    // An approved comment shows its score, discreetly, and what the filter learned.
    await u.tab("Approuvés").click();
    await search(page, `lecteur0-${tag}`);
    const approved = page.locator(`#list li.item[data-id="${ham[0]}"] .score`);
    expect(await approved.textContent()).toMatch(/^(indice de spam \d,\d\d · )?appris comme légitime$/);
    expect(errors).toEqual([]);
  });

  test("a commenter blocked from a comment is listed in Blocked, their next comment goes to spam, and they can be unblocked", async () => {
    const email = `troll-${tag}@example.org`;
    const first = await postComment(`Troll ${tag}`, `Premier message du troll ${tag}`, email);
    const sited = await postComment(`Site ${tag}`, `Un commentaire avec un site ${tag}`, `site-${tag}@example.org`, `https://www.site-${tag}.example/blog`);
    leftovers.push(sited.id);
    const { page, errors } = await openAdmin();
    const u = ui(page);
    await search(page, tag);

    // Only what the comment has is offered: no website, no block by website.
    const card = u.card(first);
    await card.locator("summary", { hasText: "Bloquer" }).click();
    const by = card.getByRole("group", { name: "Bloquer par" });
    const offered = await by.getByRole("radio").evaluateAll((rs) => rs.map((r) => (r as HTMLInputElement).value));
    expect(offered.filter((v) => v !== "network")).toEqual(["email"]);
    expect(await by.getByRole("radio", { name: `e-mail (${email})` }).isChecked()).toBe(true);
    const siteCard = u.card(sited);
    await siteCard.locator("summary", { hasText: "Bloquer" }).click();
    expect(await siteCard.getByRole("radio", { name: `site (site-${tag}.example)` }).count()).toBe(1);

    await card.getByRole("radio", { name: "7 jours" }).check();
    await card.getByLabel("Raison (facultative, pour vous)").fill("insultes");
    await card.getByRole("button", { name: "Bloquer", exact: true }).click();
    await said(page, `Bloqué par e-mail : ${email}, pendant 7 jours.`);
    expect(await card.locator("details:not(.author-reply)").getAttribute("open")).toBe(null);

    // In the Blocked view, with its end and its reason.
    await u.tool("Bloqués").click();
    const row = page.locator("#blocks li").filter({ hasText: email });
    await row.waitFor();
    const until = new Intl.DateTimeFormat("fr", { dateStyle: "long", timeZone: "Europe/Paris" }).format(new Date(Date.now() + 7 * 86_400_000));
    expect(await row.textContent()).toContain(`jusqu’au ${until}`);
    expect(await row.textContent()).toContain("raison : insultes");
    expect(page.url()).toBe(`${ADMIN}#blocks`);

    // Their next comment goes straight to spam, and says why.
    const second = await postComment(`Troll ${tag}`, `Deuxième message du troll ${tag}`, email);
    expect(await adminView(second.id)).toMatchObject({ status: "spam", held_for: "blocked:held" });
    await u.tab("Indésirables").click();
    await search(page, `troll-${tag}`);
    expect(await u.card(second).locator(".held").textContent()).toBe("Motif\u00a0: cette personne est bloquée");

    // By hand: a value that is not an address is refused in the field; a website is blocked and unblocked.
    await u.tool("Bloqués").click();
    await row.waitFor();
    const form = page.getByRole("form", { name: "Bloquer à la main" });
    await form.getByLabel("Bloquer par").selectOption("network");
    await form.getByLabel("À bloquer").fill("not-an-address");
    await form.getByRole("button", { name: "Bloquer", exact: true }).click();
    await expect.poll(() => page.locator("#block-value-error").textContent()).toBe("Cette valeur ne peut pas être bloquée ainsi : vérifiez-la.");
    expect(await form.getByLabel("À bloquer").getAttribute("aria-invalid")).toBe("true");
    await form.getByLabel("Bloquer par").selectOption("host");
    await form.getByLabel("À bloquer").fill(`https://spam-${tag}.example/page`);
    await form.getByLabel("Pendant").selectOption({ label: "30 jours" });
    await form.getByRole("button", { name: "Bloquer", exact: true }).click();
    await said(page, `Bloqué par site : spam-${tag}.example, pendant 30 jours.`);
    const hostRow = page.locator("#blocks li").filter({ hasText: `spam-${tag}.example` });
    expect(await hostRow.count()).toBe(1);
    await hostRow.getByRole("button", { name: `Débloquer spam-${tag}.example` }).click();
    await hostRow.waitFor({ state: "detached" });
    await said(page, `Débloqué : spam-${tag}.example.`);

    await row.getByRole("button", { name: `Débloquer ${email}` }).click();
    await row.waitFor({ state: "detached" });
    await said(page, `Débloqué : ${email}.`);
    const blocks = (await (await adminApi("GET", "/api/admin/blocks")).json()) as { blocks: { value: string }[] };
    expect(blocks.blocks.some((b) => b.value === email)).toBe(false);
    expect(errors).toEqual([]);
  });

  test("the log lists every decision, newest first, with links to the comments it was about", async () => {
    const x = await postComment(`Xavier ${tag}`, `Pour le journal ${tag}`, `xavier-${tag}@example.org`);
    await bulk([x.id], "approve");
    await bulk([x.id], "pending");
    leftovers.push(x.id);
    const { page, errors } = await openAdmin("#log");
    const rows = page.locator("#log li");
    await rows.first().waitFor();
    expect(await page.getByRole("heading", { level: 2, name: "Journal" }).count()).toBe(1);
    const [newest, before] = await rows.evaluateAll((lis) => lis.slice(0, 2).map((li) => li.querySelector(".row-head")?.textContent));
    expect(newest).toBe(`Remis en attente commentaire #${x.id}`);
    expect(before).toBe(`Approuvé commentaire #${x.id}`);
    expect(await rows.first().locator(".meta").textContent()).toMatch(/ · jeton d’administration$/);
    expect(await rows.first().locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The earlier tests' blocks are there too.
    expect(await rows.filter({ hasText: "Blocage par e-mail" }).count()).toBeGreaterThan(0);
    expect(await rows.filter({ hasText: "Déblocage (e-mail)" }).count()).toBeGreaterThan(0);

    // A comment's link shows it, in whatever state it is now, with its actions.
    await rows
      .first()
      .getByRole("link", { name: `#${x.id}` })
      .click();
    await ui(page).card(x).waitFor();
    expect(page.url()).toBe(`${ADMIN}#comment-${x.id}`);
    expect(await ui(page).heading.textContent()).toBe(`Commentaire #${x.id} · En attente (1)`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("list-title");
    await ui(page).card(x).getByRole("button", { name: "Approuver" }).click();
    await said(page, `Commentaire ${x.id} de ${x.name} approuvé.`);
    await expect.poll(() => ui(page).heading.textContent()).toBe(`Commentaire #${x.id} · Approuvés (1)`);
    await page.goBack();
    await rows.first().waitFor();

    // Fifty at a time: the rest with "load more".
    await page.route(/\/api\/admin\/audit\?/, (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set("limit", "2");
      return route.continue({ url: url.toString() });
    });
    await page.reload();
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    await page.getByRole("button", { name: "Charger plus", exact: true }).click();
    await rows.nth(3).waitFor();
    expect(new Set(await rows.evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.id))).size).toBe(4);
    expect(errors).toEqual([]);
  });

  test("a commenter's data: export downloads their comments as JSON, erase purges them and lifts their blocks", async () => {
    const email = `rgpd-${tag}@example.org`;
    const one = await postComment(`Rgpd ${tag}`, `Un premier avis ${tag}`, email);
    const two = await postComment(`Rgpd ${tag}`, `Un second avis ${tag}`, email);
    expect((await adminApi("POST", "/api/admin/blocks", { kind: "email", value: email })).status).toBe(201);
    const { page, errors, dialogs } = await openAdmin("#privacy");
    const form = page.getByRole("form", { name: "Données d’un commentateur" });
    const field = page.getByLabel("Adresse e-mail du commentateur", { exact: true });
    await field.waitFor();

    await field.fill("pas une adresse");
    await form.getByRole("button", { name: "Exporter (JSON)" }).click();
    await expect.poll(() => page.locator("#privacy-error").textContent()).toBe("Entrez une adresse e-mail valide.");

    await field.fill(email);
    const download = page.waitForEvent("download");
    await form.getByRole("button", { name: "Exporter (JSON)" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`billet-commenter-${email}.json`);
    const data = JSON.parse(readFileSync((await file.path())!, "utf8")) as { email: string; comments: { id: number; content: string }[]; blocks: unknown[] };
    expect(data.email).toBe(email);
    expect(data.comments.map((c) => c.id)).toEqual([one.id, two.id]);
    expect(data.blocks.length).toBe(1);
    await said(page, `Téléchargé : billet-commenter-${email}.json (2 commentaires).`);

    // Erasing asks first; cancelled, nothing changes.
    await form.getByRole("button", { name: "Effacer ses données" }).click();
    expect(dialogs.at(-1)).toBe(
      `Effacer les données de ${email} ? Tous ses commentaires seront supprimés définitivement, ses blocages (e-mail, adresse réseau, site) levés, son abonnement oublié, et le filtre anti-spam oubliera ce qu’il a appris d’elle ou de lui. C’est irréversible.`,
    );
    expect((await adminView(one.id))?.status).toBe("pending");
    acceptConfirm.add(page);
    await form.getByRole("button", { name: "Effacer ses données" }).click();
    await said(page, `Données de ${email} effacées : 2 commentaires supprimés, 1 blocage levé.`);
    expect(await adminView(one.id)).toBe(null);
    expect(await adminView(two.id)).toBe(null);

    await field.fill(email);
    const again = page.waitForEvent("download");
    await form.getByRole("button", { name: "Exporter (JSON)" }).click();
    const empty = JSON.parse(readFileSync((await (await again).path())!, "utf8")) as { comments: unknown[]; blocks: unknown[] };
    expect(empty).toMatchObject({ comments: [], blocks: [] });
    expect(errors).toEqual([]);
  });

  test("every view fits a phone's width and follows dark mode", async () => {
    const { page, errors } = await openAdmin("", { colorScheme: "dark" });
    await page.locator("#list li.item").first().waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g)!.map(Number);
    expect(r + g + b).toBeLessThan(150);
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    await page.locator("#list li.item summary").first().click();
    expect(await fits()).toBe(true);
    for (const [name, ready] of [
      ["Bloqués", "#blocks-title"],
      ["Journal", "#log li"],
      ["Données personnelles", "#privacy-email"],
    ] as const) {
      await ui(page).tool(name).click();
      await page.locator(ready).first().waitFor();
      expect(await ui(page).tool(name).getAttribute("aria-current")).toBe("page");
      expect(await fits(), name).toBe(true);
    }
    await ui(page).tab("En attente").click();
    await page.locator("#list li.item").first().waitFor();
    await page.getByRole("button", { name: "Raccourcis clavier", exact: true }).click();
    const box = await page.getByRole("dialog", { name: "Raccourcis clavier" }).boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(412);
    expect(errors).toEqual([]);
  });
});
