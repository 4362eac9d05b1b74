// When posting fails — the server is unavailable (503), the network is down, the reader is rate
// limited (429), the server answers something that is not the error shape — the widget says what
// happened (role=alert), keeps the reader's draft in the form and across a reload, and a later
// successful post clears it.
import type { Page, Route } from "playwright-core";
import { describe, expect, test } from "vitest";
import { COMMENTS_API, DRAFT_KEY, commentIdWithText, form, nextPostAnswer, openPost, PAGE, recordPosts, scriptErrors, unique, useBrowser } from "./helpers.ts";

const browser = useBrowser();

type Fault = (route: Route) => Promise<void>;

const errorShape =
  (status: number, code: string, message: string, headers: Record<string, string> = {}, fields?: Record<string, string>): Fault =>
  (route) =>
    route.fulfill({
      status,
      headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
      body: JSON.stringify({ error: { code, message, ...(fields ? { fields } : {}) } }),
    });

/** Answers the page's comment POSTs with whatever `fault.now` is; lets everything else through. */
async function interceptPosts(page: Page): Promise<{ now: Fault | null }> {
  const fault: { now: Fault | null } = { now: null };
  await page.route(`${COMMENTS_API}**`, (route) => (route.request().method() === "POST" && fault.now ? fault.now(route) : route.continue()));
  return fault;
}

async function draftInStorage(page: Page): Promise<Record<string, string> | null> {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? "null"), DRAFT_KEY);
}

/** Submits, and waits for the widget to say something went wrong; returns what it said. */
async function submitAndFail(page: Page): Promise<string> {
  const f = form(page);
  await f.submit.click();
  await page.locator(".form-message[role=alert]").waitFor();
  return (await f.message.textContent()) ?? "";
}

describe("the widget when posting fails", () => {
  test("503, network down, 429: each is said, the draft stays in the form and survives a reload; a success clears it", async () => {
    const context = await browser.context();
    const page = await openPost(context);
    const f = form(page);
    const fault = await interceptPosts(page);
    const posts = recordPosts(page);
    const author = unique("Persévérante");
    const text = unique("Ce brouillon doit survivre à tout.");

    // A reply, so the draft is more than text: whom it answers must survive too.
    await page.locator("#comment-4 .comment-reply").first().click();
    await f.name.fill(author);
    await f.content.fill(text);

    const expectDraftKept = async () => {
      expect(await f.content.inputValue()).toBe(text);
      expect(await f.name.inputValue()).toBe(author);
      expect(await f.parent.inputValue()).toBe("4");
      expect(await f.replying.textContent()).toContain("Réponse à Anonyme (4)");
      // The button is back, ready for another try.
      expect(await f.submit.getAttribute("aria-disabled")).toBeNull();
      expect(await f.submit.textContent()).toBe("Publier le commentaire");
    };
    const expectDraftAfterReload = async () => {
      expect(await draftInStorage(page)).toMatchObject({ content: text, author_name: author, parent_id: "4" });
      await page.reload();
      expect(await f.message.textContent()).toBe("");
      await expectDraftKept();
    };

    const cases: [string, Fault, RegExp][] = [
      [
        "503 storage unavailable",
        errorShape(503, "storage_unavailable", "Storage is unavailable right now; nothing was saved. Please try again.", { "Retry-After": "5" }),
        /^Le service est momentanément indisponible : votre commentaire n’a pas été enregistré\. Réessayez dans un instant\. Votre brouillon est conservé\.$/,
      ],
      [
        "network down",
        (route) => route.abort("internetdisconnected"),
        /^Le réseau ne répond pas : votre commentaire n’a pas été envoyé\. Votre brouillon est conservé\.$/,
      ],
      [
        "429 rate limited",
        errorShape(429, "rate_limited", "Too many comments in a short time; please wait a minute.", { "Retry-After": "60" }),
        /^Trop de commentaires en peu de temps : votre commentaire n’a pas été envoyé\. Réessayez dans 1 min\. Votre brouillon est conservé\.$/,
      ],
    ];
    for (const [what, answer, said] of cases) {
      fault.now = answer;
      const before = posts.length;
      const message = await submitAndFail(page);
      expect(message, what).toMatch(said);
      expect(posts.length, what).toBe(before + 1);
      expect(posts.at(-1)!.postDataJSON(), what).toMatchObject({ content: text, author_name: author, parent_id: "4" });
      await expectDraftKept();
      await expectDraftAfterReload();
    }

    // The server is back: the same draft goes through, and is gone from the form and the storage.
    fault.now = null;
    const answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(202);
    await page.locator(".form-message--ok").waitFor();
    expect(await f.message.getAttribute("role")).toBe("status");
    expect(await f.content.inputValue()).toBe("");
    expect(await f.parent.inputValue()).toBe("");
    expect(await draftInStorage(page)).toBeNull();
    const id = await commentIdWithText(page, text);
    expect(await page.locator(`#comment-4 > article + ol.comment-replies > #comment-${id}`).count()).toBe(1);
    await page.reload();
    expect(await f.content.inputValue()).toBe("");
    expect(await f.replying.isVisible()).toBe(false);
    expect(await f.name.inputValue()).toBe(author);
    expect(await commentIdWithText(page, text)).toBe(id);
    expect(scriptErrors(page)).toEqual([]);
  });

  test("an answer lost on the way back: the retry, even after a reload, gets the stored comment, not a duplicate error", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    const fault = await interceptPosts(page);
    const posts = recordPosts(page);
    // The server stores the comment; its answer never reaches the reader.
    fault.now = async (route) => {
      await route.fetch();
      await route.abort("connectionreset");
    };
    const text = unique("Envoyé une fois, répondu jamais.");
    await f.name.fill(unique("Obstinée"));
    await f.content.fill(text);
    expect(await submitAndFail(page)).toMatch(/^Le réseau ne répond pas/);
    await page.reload();
    expect(await f.content.inputValue()).toBe(text);
    fault.now = null;
    const answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(202);
    await page.locator(".form-message--ok").waitFor();
    const keys = posts.map((r) => r.headers()["idempotency-key"]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    // One comment with this text, shown to its author.
    const id = await commentIdWithText(page, text);
    expect(await page.locator(`#comment-${id}`).count()).toBe(1);
    // A new text is a new attempt, with a new key.
    await f.content.fill(unique("Une autre idée."));
    const second = nextPostAnswer(page);
    await f.submit.click();
    expect((await second).status()).toBe(202);
    expect(posts.at(-1)!.headers()["idempotency-key"]).not.toBe(keys[0]);
    expect(scriptErrors(page)).toEqual([]);
  });

  test("an answer that is not the error shape (a proxy's 502 page) is said too, the draft kept", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    const fault = await interceptPosts(page);
    fault.now = (route) => route.fulfill({ status: 502, contentType: "text/html", body: "<h1>Bad gateway</h1>" });
    const text = unique("Derrière un proxy capricieux.");
    await f.name.fill(unique("Patiente"));
    await f.content.fill(text);
    expect(await submitAndFail(page)).toBe("Le serveur n’a pas pu enregistrer votre commentaire (erreur 502). Votre brouillon est conservé.");
    expect(await f.content.inputValue()).toBe(text);
  });

  test("field errors found by the server are shown next to their fields, focus on the first", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    const fault = await interceptPosts(page);
    fault.now = errorShape(422, "validation_failed", "Some fields are not valid.", {}, { content: "invalid_characters", author_email: "invalid_email" });
    const text = unique("Refusé pour la forme.");
    await f.name.fill(unique("Précise"));
    await f.email.fill("precise@example.org");
    await f.content.fill(text);
    expect(await submitAndFail(page)).toBe("Le commentaire n’a pas été envoyé : corrigez les champs signalés. Votre brouillon est conservé.");
    expect(await f.error("author_email").textContent()).toBe("Cette adresse e-mail n’est pas valide.");
    expect(await f.error("content").textContent()).toBe("Ce texte contient des caractères non autorisés.");
    expect(await f.error("author_name").isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("billet-author_email");
    expect(await f.content.inputValue()).toBe(text);
  });

  test("when the comment replied to is gone, the reply is cancelled and the text kept", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    const fault = await interceptPosts(page);
    fault.now = errorShape(422, "validation_failed", "The comment you reply to does not exist.", {}, { parent_id: "not_found" });
    await page.locator("#comment-5 .comment-reply").first().click();
    const text = unique("Une réponse orpheline.");
    await f.name.fill(unique("Tardive"));
    await f.content.fill(text);
    expect(await submitAndFail(page)).toMatch(/^Le commentaire auquel vous répondiez n’est plus disponible.*Votre brouillon est conservé\.$/);
    expect(await f.parent.inputValue()).toBe("");
    expect(await f.replying.isVisible()).toBe(false);
    expect(await f.content.inputValue()).toBe(text);
    expect(await draftInStorage(page)).toMatchObject({ content: text, parent_id: "" });
    expect(page.url()).toBe(PAGE);
  });
});
