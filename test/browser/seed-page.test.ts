// The seed post in Chromium, as readers use it: its six comments numbered as the seed numbers them,
// in French; a comment posted with the widget and one posted with JavaScript off, each seen first by
// its author only (awaiting moderation), then by everyone once approved; field errors next to their
// fields; replies that nest, with and without JavaScript.
import { describe, expect, test } from "vitest";
import { approve, commentIdWithText, form, nextPostAnswer, openPost, PAGE, publicComments, recordPosts, scriptErrors, unique, useBrowser } from "./helpers.ts";

const browser = useBrowser();

// How each of the six comments of the seed begins, and when it was written (Paris time).
const SEED = [
  ["C’est exactement le constat que je fais sur mes 2 années de réseautage", "17 mars 2008 à 14:12"],
  ["Ah c’est exactement le constat que je me fais tous les jours", "17 mars 2008 à 18:47"],
  ["Merci Arnaud d’avoir pris mon billet en référence.", "18 mars 2008 à 08:05"],
  ["Je suis tombé ce week-end sur un article dans le magazine féminin Biba", "18 mars 2008 à 21:30"],
  ["Effectivement la réflexion est clairvoyante et de bon sens", "20 mars 2008 à 11:16"],
  ["Oui, non, oui… En effet, professionnellement", "22 mars 2008 à 16:54"],
];

const PENDING = "En attente de modération";

/** Checks that a comment is shown to a reader without the author's cookie, and by the JSON API. */
async function visibleToEveryone(id: number, text: string, author: string, parentId: number | null = null) {
  const reader = await openPost(await browser.context());
  const li = reader.locator(`#comment-${id}`);
  await expect(li.locator(".comment-body").first().textContent()).resolves.toContain(text);
  expect(await li.locator(".comment-author").first().textContent()).toBe(author);
  expect(await li.locator(".comment-pending").count()).toBe(0);
  if (parentId !== null) expect(await reader.locator(`#comment-${parentId} > article + ol.comment-replies > #comment-${id}`).count()).toBe(1);
  const api = (await publicComments()).find((c) => c.id === id);
  expect(api).toMatchObject({ id, parent_id: parentId, author: { name: author }, content: text });
}

/** Checks that nobody but the author sees a pending comment: not another reader, not the API. */
async function hiddenFromOthers(id: number) {
  const reader = await openPost(await browser.context());
  expect(await reader.locator(`#comment-${id}`).count()).toBe(0);
  expect((await publicComments()).some((c) => c.id === id)).toBe(false);
}

describe("the seed page", () => {
  test("shows the post's six seed comments numbered 1 to 6, in order, in French", async () => {
    const page = await openPost(await browser.context());
    expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    expect(await page.locator("h1").textContent()).toBe("Réseaux sociaux, trois ans après");
    expect(await page.locator("#comments-title").textContent()).toMatch(/^Vos réactions \(\d+\)$/);
    expect(await page.locator("#respond-title").textContent()).toBe("Laissez un commentaire");

    // Other tests may have added comments after them; the seed's six come first.
    const threads = page.locator("ol.comment-list > li.comment");
    expect(await threads.count()).toBeGreaterThanOrEqual(6);
    for (const [i, [start, when]] of SEED.entries()) {
      const li = threads.nth(i);
      expect(await li.locator(".comment-number").first().textContent()).toBe(String(i + 1));
      expect(await li.locator(".comment-author").first().textContent()).toBe("Anonyme");
      expect(await li.locator("time").first().textContent()).toBe(when);
      expect((await li.locator(".comment-body").first().textContent())!.trim().startsWith(start)).toBe(true);
      expect(await li.locator(".comment-reply").first().textContent()).toBe("Répondre");
    }
    const api = (await publicComments()).slice(0, 6);
    expect(api.map((c) => SEED.findIndex(([start]) => c.content.startsWith(start)))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(scriptErrors(page)).toEqual([]);
  });
});

describe("posting with the widget", () => {
  test("the author sees their comment awaiting moderation; once approved, everyone does", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    const text = unique("Un commentaire envoyé par le widget.");
    const author = unique("Lectrice");
    const posts = recordPosts(page);
    await f.name.fill(author);
    await f.content.fill(text);
    const answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(202);
    expect(posts[0].headers()["content-type"]).toBe("application/json");

    await page.locator(".form-message--ok").waitFor();
    expect(await f.message.getAttribute("role")).toBe("status");
    expect(await f.message.textContent()).toBe("Merci ! Votre commentaire attend la validation de l’auteur.");
    expect(page.url()).toBe(PAGE);
    const id = await commentIdWithText(page, text);
    expect(((await (await answer).json()) as { comment: { id: number } }).comment.id).toBe(id);
    const mine = page.locator(`#comment-${id}`);
    expect(await mine.getAttribute("class")).toContain("comment--pending");
    expect(await mine.locator(".comment-pending").textContent()).toContain(PENDING);
    // Focus goes to the new comment; the form is ready for another (text gone, name kept).
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`comment-${id}`);
    expect(await f.content.inputValue()).toBe("");
    expect(await f.name.inputValue()).toBe(author);

    await hiddenFromOthers(id);
    await approve(id);
    await visibleToEveryone(id, text, author);
    await page.reload();
    expect(await page.locator(`#comment-${id} .comment-pending`).count()).toBe(0);
    expect(scriptErrors(page)).toEqual([]);
  });

  test("a reader whose comment was approved is published at once, and is remembered", async () => {
    const context = await browser.context();
    const page = await openPost(context);
    // The widget reports how long the reader spent on the form; a fake clock stands for a real reader's pace.
    await page.clock.install();
    await page.reload();
    const f = form(page);
    const author = unique("Habitué");
    const email = `${author.split(" ")[1]}@example.org`;
    const first = unique("Premier commentaire d’un habitué.");
    await f.name.fill(author);
    await f.email.fill(email);
    await f.content.fill(first);
    await page.clock.fastForward(10_000);
    let answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(202);
    const firstId = ((await (await answer).json()) as { comment: { id: number } }).comment.id;
    await approve(firstId);

    // Next visit: name and email are filled in from the last time.
    await page.reload();
    expect(await f.name.inputValue()).toBe(author);
    expect(await f.email.inputValue()).toBe(email);
    expect(await f.content.inputValue()).toBe("");
    const second = unique("Second commentaire, publié sans attendre.");
    await f.content.fill(second);
    await page.clock.fastForward(10_000);
    answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(201);
    await page.locator(".form-message--ok").waitFor();
    expect(await f.message.textContent()).toBe("Merci ! Votre commentaire est publié.");
    const id = await commentIdWithText(page, second);
    expect(await page.locator(`#comment-${id} .comment-pending`).count()).toBe(0);
    await visibleToEveryone(id, second, author);
  });

  test("an empty name is said next to the name field, and nothing is sent", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    const posts = recordPosts(page);
    const text = unique("Sans nom, pas de commentaire.");
    await f.content.fill(text);
    await f.submit.click();

    await page.locator(".form-message--error").waitFor();
    expect(await f.message.getAttribute("role")).toBe("alert");
    expect(await f.message.textContent()).toBe("Le commentaire n’a pas été envoyé : corrigez les champs signalés.");
    expect(await f.error("author_name").isVisible()).toBe(true);
    expect(await f.error("author_name").textContent()).toBe("Ce champ est obligatoire.");
    expect(await f.name.getAttribute("aria-invalid")).toBe("true");
    expect(await f.content.getAttribute("aria-invalid")).toBeNull();
    expect(await f.error("content").isVisible()).toBe(false);
    expect(await f.content.inputValue()).toBe(text);
    expect(posts).toHaveLength(0);

    // Fixed, it goes through, and the error goes away.
    await f.name.fill(unique("Nommé"));
    const answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(202);
    await page.locator(".form-message--ok").waitFor();
    expect(await f.error("author_name").isVisible()).toBe(false);
    expect(await f.name.getAttribute("aria-invalid")).toBeNull();
  });

  test("an error the server finds (too long a comment) is said next to its field", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    const text = `${unique("Beaucoup trop long.")} ${"bla ".repeat(1300)}`;
    await f.name.fill(unique("Bavard"));
    await f.content.fill(text);
    const answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(422);
    await page.locator(".form-message--error").waitFor();
    expect(await f.error("content").textContent()).toBe("Ce texte est trop long.");
    expect(await f.content.getAttribute("aria-invalid")).toBe("true");
    expect(await f.content.inputValue()).toBe(text);
    expect(await f.message.textContent()).toContain("Votre brouillon est conservé.");
  });

  test("a reply link makes the comment a reply, nested under the one it answers", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    const posts = recordPosts(page);
    await page.locator("#comment-2 .comment-reply").first().click();
    expect(page.url()).toBe(PAGE);
    expect(await f.replying.isVisible()).toBe(true);
    expect(await f.replying.textContent()).toContain("Réponse à Anonyme (2)");
    expect(await f.parent.inputValue()).toBe("2");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("billet-content");

    const author = unique("Répondeur");
    const text = unique("Je réponds au deuxième commentaire.");
    await f.name.fill(author);
    await f.content.fill(text);
    const answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(202);
    expect(posts[0].postDataJSON()).toMatchObject({ parent_id: "2", content: text });
    await page.locator(".form-message--ok").waitFor();
    const id = await commentIdWithText(page, text);
    const reply = page.locator(`#comment-2 > article + ol.comment-replies > #comment-${id}`);
    expect(await reply.count()).toBe(1);
    expect(await reply.locator(".comment-number").textContent()).toMatch(/^2\.\d+$/);
    expect(await reply.locator(".comment-pending").textContent()).toContain(PENDING);
    expect(await f.replying.isVisible()).toBe(false);
    expect(await f.parent.inputValue()).toBe("");

    await hiddenFromOthers(id);
    await approve(id);
    await visibleToEveryone(id, text, author, 2);
  });

  test("a reply can be cancelled; the comment then stands on its own", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    await page.locator("#comment-6 .comment-reply").first().click();
    expect(await f.parent.inputValue()).toBe("6");
    await f.replying.getByRole("button", { name: "Annuler la réponse" }).click();
    expect(await f.replying.isVisible()).toBe(false);
    expect(await f.parent.inputValue()).toBe("");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("billet-content");
  });
});

describe("posting with JavaScript off", () => {
  test("the form posts, lands back on the comment awaiting moderation; once approved, everyone sees it", async () => {
    const page = await openPost(await browser.context({ javaScriptEnabled: false }));
    const f = form(page);
    const text = unique("Un commentaire envoyé sans JavaScript.");
    const author = unique("Lecteur sans JS");
    await f.name.fill(author);
    await f.content.fill(text);
    const answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(303);
    expect((await answer).request().headers()["content-type"]).toBe("application/x-www-form-urlencoded");
    await page.waitForURL(/#comment-\d+$/);
    const id = Number(new URL(page.url()).hash.slice("#comment-".length));
    expect(page.url()).toBe(`${PAGE}#comment-${id}`);
    expect(await commentIdWithText(page, text)).toBe(id);
    expect(await page.locator(`#comment-${id} .comment-pending`).textContent()).toContain(PENDING);
    expect(await page.locator(`#comment-${id}:target`).count()).toBe(1);

    await hiddenFromOthers(id);
    await approve(id);
    await visibleToEveryone(id, text, author);
  });

  test("an empty name comes back next to the name field, the text kept; fixed, it posts", async () => {
    const page = await openPost(await browser.context({ javaScriptEnabled: false }));
    const f = form(page);
    const text = unique("Un nom fait d’espaces n’est pas un nom.");
    // Spaces get past the browser's own check (required), not the server's.
    await f.name.fill("   ");
    await f.content.fill(text);
    let answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(422);
    await page.waitForLoadState();
    expect(await f.error("author_name").isVisible()).toBe(true);
    expect(await f.error("author_name").textContent()).toBe("Ce champ est obligatoire.");
    expect(await f.name.getAttribute("aria-invalid")).toBe("true");
    expect((await f.name.getAttribute("aria-describedby"))?.split(" ")).toContain("billet-author_name-error");
    expect(await f.content.inputValue()).toBe(text);
    expect(await f.message.getAttribute("role")).toBe("alert");
    expect(await f.message.textContent()).toBe("Le commentaire n’a pas été envoyé : corrigez les champs signalés.");

    await f.name.fill(unique("Nommée"));
    answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(303);
    await page.waitForURL(/\/posts\/[^/]+\/#comment-\d+$/);
    const id = Number(new URL(page.url()).hash.slice("#comment-".length));
    expect(await commentIdWithText(page, text)).toBe(id);
  });

  test("a reply link opens the form as a reply; the reply lands nested under its comment", async () => {
    const page = await openPost(await browser.context({ javaScriptEnabled: false }));
    const f = form(page);
    await page.locator("#comment-3 .comment-reply").first().click();
    await page.waitForURL(`${PAGE}?reply_to=3#respond`);
    expect(await f.replying.isVisible()).toBe(true);
    expect(await f.replying.textContent()).toContain("Réponse à Anonyme (3)");
    expect(await f.parent.inputValue()).toBe("3");

    const author = unique("Répondeuse sans JS");
    const text = unique("Je réponds au troisième commentaire, sans JavaScript.");
    await f.name.fill(author);
    await f.content.fill(text);
    const answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(303);
    await page.waitForURL(/\/posts\/[^/]+\/#comment-\d+$/);
    const id = Number(new URL(page.url()).hash.slice("#comment-".length));
    const reply = page.locator(`#comment-3 > article + ol.comment-replies > #comment-${id}`);
    expect(await reply.count()).toBe(1);
    expect(await reply.locator(".comment-number").textContent()).toMatch(/^3\.\d+$/);
    expect(await reply.locator(".comment-pending").textContent()).toContain(PENDING);

    await hiddenFromOthers(id);
    await approve(id);
    await visibleToEveryone(id, text, author, 3);
  });
});
