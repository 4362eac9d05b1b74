// A reader's own comment in Chromium while the edit window runs: edited in place and deleted after a
// confirmation with the widget, through its own page without JavaScript; the controls gone when
// the window ends; and the preview of the text being written.
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { checkDeleteStepBack, checkEditBox, commentIdWithText, form, openPost, scriptErrors, unique, useBrowser } from "./helpers.ts";

const browser = useBrowser();

/** Posts a comment with the widget (or the plain form) and answers its id. */
async function post(page: Page, text: string): Promise<number> {
  const f = form(page);
  await f.name.fill(unique("Autrice"));
  await f.content.fill(text);
  await f.submit.click();
  await page.locator(`.comment-body:has-text("${text}")`).waitFor();
  return commentIdWithText(page, text);
}

const focused = (page: Page) => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.id || document.activeElement?.textContent}`);
const answerTo = (page: Page, method: string) => page.waitForResponse((r) => r.request().method() === method && r.url().includes("/api/comments/"));

describe("one's own comment, with the widget", () => {
  test("a reader who has written nothing lately asks nothing about their comments", async () => {
    const context = await browser.context();
    const asked: string[] = [];
    context.on("request", (r) => asked.push(new URL(r.url()).pathname));
    const page = await openPost(context);
    await page.locator("form.comment-form[novalidate]").waitFor({ state: "attached" });
    expect(asked.filter((p) => p.startsWith("/api/comments/mine"))).toEqual([]);
    expect(await page.locator(".own-controls, .comment-edit").count()).toBe(0);
  });

  test("edits in place: the text in a box, errors as for a new comment, the server's rendering after", async () => {
    const page = await openPost(await browser.context());
    const text = unique("Un texte à corriger.");
    const id = await post(page, text);
    const li = page.locator(`#comment-${id}`);
    const controls = li.locator(".own-controls");
    await controls.waitFor();
    expect(await controls.locator(".own-left").textContent()).toMatch(/^encore 1[45] min$/);
    expect(await page.locator(".own-controls").count()).toBe(1);

    const { box } = await checkEditBox(page, li, id, text, focused);

    // Keys other than Escape type as in any text box (a new line here).
    await box.fill("Corrigé");
    await box.press("Enter");
    await box.pressSequentially("**en place**");
    expect(await box.inputValue()).toBe("Corrigé\n**en place**");
    await box.press("End");
    await box.pressSequentially(` ${unique("fin")}`);
    const answer = answerTo(page, "PATCH");
    await li.getByRole("button", { name: "Enregistrer" }).click();
    expect((await answer).status()).toBe(200);
    await li.locator(".comment-edited").waitFor();
    expect(await li.locator(".comment-body strong").first().textContent()).toBe("en place");
    expect(await li.locator(".comment-body br").count()).toBe(1);
    expect(await li.locator(".comment-body").first().textContent()).not.toContain(text);
    expect(await li.locator("textarea").count()).toBe(0);
    // The list came back from the server: the controls are there again, once.
    await li.locator(".own-controls").waitFor();
    expect(await li.locator(".own-controls").count()).toBe(1);
    expect(scriptErrors(page)).toEqual([]);
  });

  test("deletes after a confirmation the keyboard reaches, and can step back from it", async () => {
    const page = await openPost(await browser.context());
    const text = unique("Un texte à retirer.");
    const id = await post(page, text);
    const li = page.locator(`#comment-${id}`);
    const { remove } = await checkDeleteStepBack(page, li, focused);

    await remove.press("Enter");
    const answer = answerTo(page, "DELETE");
    await page.keyboard.press("Enter");
    expect((await answer).status()).toBe(204);
    await li.waitFor({ state: "detached" });
    // The keyboard is put back at the top of the comments once the list is the server's again.
    await page.waitForFunction(() => document.activeElement?.id === "comments-title");
    await page.reload();
    expect(await page.locator(`#comment-${id}`).count()).toBe(0);
    expect(scriptErrors(page)).toEqual([]);
  });

  test("the controls go when the window ends (the page's clock moved on)", async () => {
    const page = await openPost(await browser.context());
    await page.clock.install();
    await page.reload();
    const id = await post(page, unique("Bientôt figé."));
    const controls = page.locator(`#comment-${id} .own-controls`);
    await controls.waitFor();
    await page.clock.fastForward("10:00");
    expect(await controls.locator(".own-left").textContent()).toMatch(/^encore [45] min$/);
    await page.clock.fastForward("06:00");
    await controls.waitFor({ state: "detached" });
    expect(await page.locator(`#comment-${id} button`).count()).toBe(0);
  });
});

describe("preview", () => {
  test("shows the text as the server would publish it, hostile Markdown inert, and the Markdown allowed", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    expect(await page.locator("#billet-content-hint").textContent()).toContain("*italique*, **gras**");
    const toggle = page.getByRole("button", { name: "Aperçu", exact: true });
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    await toggle.click();
    const shown = page.locator(".comment-preview");
    await shown.getByText("Ce champ est obligatoire.").waitFor();

    await f.content.fill("Du **gras**, du `code` <script>window.__billetPwned=1</script> [lien](javascript:window.__billetPwned=1)");
    await toggle.click();
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    expect(await shown.isVisible()).toBe(false);
    await toggle.click();
    await shown.locator("strong").waitFor();
    expect(await shown.locator("strong").textContent()).toBe("gras");
    expect(await shown.locator("code").textContent()).toBe("code");
    expect(await shown.textContent()).toContain("<script>");
    expect(await shown.locator("a").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __billetPwned?: number }).__billetPwned)).toBeUndefined();
    expect(scriptErrors(page)).toEqual([]);
  });

  test("without JavaScript the reminder of the Markdown allowed is there, and no preview button", async () => {
    const page = await openPost(await browser.context({ javaScriptEnabled: false }));
    expect(await page.locator("#billet-content-hint").textContent()).toContain("*italique*, **gras**");
    expect(await page.getByRole("button", { name: "Aperçu" }).count()).toBe(0);
  });
});

describe("one's own comment, without JavaScript", () => {
  async function open(context: BrowserContext, text: string): Promise<{ page: Page; id: number }> {
    const page = await openPost(context);
    const id = await post(page, text);
    return { page, id };
  }

  test("right after posting, the comment links to its page, which edits it, then deletes it", async () => {
    const context = await browser.context({ javaScriptEnabled: false });
    const text = unique("Sans JavaScript, à corriger.");
    const { page, id } = await open(context, text);
    const link = page.locator(`#comment-${id} a.comment-edit`);
    expect(await link.textContent()).toMatch(/^Modifier ou supprimer \(encore 1[45] min\)$/);
    await link.click();
    expect(await page.locator("h1").textContent()).toBe("Modifier votre commentaire");
    const box = page.getByRole("textbox", { name: "Commentaire (obligatoire)" });
    expect(await box.inputValue()).toBe(text);
    const fixed = unique("Corrigé *sans script*");
    await box.fill(fixed);
    await page.getByRole("button", { name: "Enregistrer" }).click();
    expect(new URL(page.url()).hash).toBe(`#comment-${id}`);
    expect(await page.locator(`#comment-${id} .comment-body em`).first().textContent()).toBe("sans script");

    await page.locator(`#comment-${id} a.comment-edit`).click();
    await page.getByRole("button", { name: "Supprimer" }).click();
    expect(new URL(page.url()).hash).toBe("#comments");
    expect(await page.locator(`#comment-${id}`).count()).toBe(0);
  });
});
