// Keyboard and screen-reader sanity: every field has a label, the keyboard reaches everything in a
// sensible order, errors are tied to their fields (aria-describedby) and focus goes to the first
// one; messages are live regions; text is readable (contrast) in light and dark, and nothing
// overflows a narrow phone.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { COMMENTS_API, form, nextPostAnswer, openPost, unique, useBrowser } from "./helpers.ts";

const browser = useBrowser();

const focused = (page: Page) =>
  page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim() || document.activeElement?.tagName);

/** The accessible description as the ids in aria-describedby make it. */
const description = (page: Page, id: string) =>
  page.evaluate((id) => {
    const el = document.getElementById(id)!;
    return (el.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((ref) => document.getElementById(ref)?.textContent?.trim() ?? `#${ref} missing`)
      .filter(Boolean)
      .join(" | ");
  }, id);

describe("keyboard and screen readers", () => {
  test("every control of the form has a label; the honeypot is out of reach", async () => {
    const page = await openPost(await browser.context());
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("form.comment-form input:not([type=hidden]), form.comment-form textarea")]
        .filter((el) => !el.closest("[aria-hidden=true]"))
        .filter((el) => !el.labels?.length || ![...el.labels].every((l) => l.textContent!.trim() !== ""))
        .map((el) => el.name),
    );
    expect(unlabeled).toEqual([]);
    const f = form(page);
    for (const control of [f.name, f.email, f.url, f.content, f.submit]) expect(await control.count()).toBe(1);
    // Hints are read with their fields.
    expect(await description(page, "billet-author_email")).toBe("Facultatif, jamais publié.");
    const honeypot = page.locator("#billet-website");
    expect(await honeypot.getAttribute("tabindex")).toBe("-1");
    expect(await honeypot.evaluate((el) => el.closest("[aria-hidden=true]") !== null)).toBe(true);
  });

  test("Tab goes from the skip link through the fields and the preview toggle to the submit button", async () => {
    const page = await openPost(await browser.context());
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("Aller au contenu");
    await page.locator("#billet-author_name").focus();
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press("Tab");
      order.push((await focused(page))!);
    }
    // The widget's preview toggle sits under the text it shows.
    expect(order).toEqual(["billet-author_email", "billet-author_url", "billet-content", "Aperçu", "Publier le commentaire"]);
  });

  test("errors are tied to their fields and focus moves to the first invalid one", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    // The live region is in the page before it says anything, so what it says is announced.
    expect(await f.message.getAttribute("role")).toBe("status");
    expect(await f.message.evaluate((el) => el.closest("[hidden]") !== null)).toBe(false);

    await f.submit.focus();
    await page.keyboard.press("Enter");
    await page.locator(".form-message[role=alert]").waitFor();
    expect(await focused(page)).toBe("billet-author_name");
    expect(await description(page, "billet-author_name")).toBe("Ce champ est obligatoire.");
    expect(await description(page, "billet-content")).toBe("Texte simple : *italique*, **gras**, `code`, > citation et liens. | Ce champ est obligatoire.");
    expect(await f.name.getAttribute("aria-invalid")).toBe("true");
    expect(await f.content.getAttribute("aria-invalid")).toBe("true");

    // Typed a name, Enter in the field: now the comment is the first invalid one.
    await page.keyboard.type(unique("Clavier"));
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "billet-content");
    expect(await f.name.getAttribute("aria-invalid")).toBeNull();
    expect(await description(page, "billet-author_name")).toBe("");
    expect(await description(page, "billet-content")).toContain("Ce champ est obligatoire.");
  });

  test("with JavaScript off, the server's errors are tied to their fields too", async () => {
    const page = await openPost(await browser.context({ javaScriptEnabled: false }));
    const f = form(page);
    await f.name.fill(unique("Sans JS"));
    await f.url.fill("ftp://example.org/");
    await f.content.fill(unique("Une adresse qui n’est pas une page web."));
    const answer = nextPostAnswer(page);
    await f.submit.click();
    expect((await answer).status()).toBe(422);
    await page.waitForLoadState();
    expect(await f.url.getAttribute("aria-invalid")).toBe("true");
    expect(await description(page, "billet-author_url")).toBe("Facultatif. | Cette adresse doit commencer par http:// ou https://.");
    expect(await f.message.getAttribute("role")).toBe("alert");
  });

  test("a reply by keyboard: Enter on Répondre moves to the text, which says whom it answers; the cancel button is reachable", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    await page.locator("#comment-5 .comment-reply").first().focus();
    await page.keyboard.press("Enter");
    expect(await focused(page)).toBe("billet-content");
    expect(await description(page, "billet-content")).toContain("Réponse à Anonyme (5)");
    const cancel = f.replying.getByRole("button", { name: "Annuler la réponse" });
    await cancel.focus();
    await page.keyboard.press("Enter");
    expect(await focused(page)).toBe("billet-content");
    expect(await f.parent.inputValue()).toBe("");
    expect(await description(page, "billet-content")).not.toContain("Réponse à");
  });

  test("while sending and after a failure, focus stays on the button; after a success it moves to the new comment", async () => {
    const page = await openPost(await browser.context());
    const f = form(page);
    let fail = true;
    await page.route(`${COMMENTS_API}**`, (route) =>
      route.request().method() === "POST" && fail
        ? route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "storage_unavailable", message: "down" } }) })
        : route.continue(),
    );
    await f.name.fill(unique("Focalisé"));
    const text = unique("Le focus ne se perd pas.");
    await f.content.fill(text);
    await f.submit.focus();
    await page.keyboard.press("Enter");
    await page.locator(".form-message[role=alert]").waitFor();
    expect(await focused(page)).toBe("Publier le commentaire");

    fail = false;
    const answer = nextPostAnswer(page);
    await page.keyboard.press("Enter");
    const { comment } = (await (await answer).json()) as { comment: { id: number } };
    await page.locator(".form-message--ok").waitFor();
    expect(await focused(page)).toBe(`comment-${comment.id}`);
  });
});

/** WCAG contrast of each element's text against the background it is drawn on. */
async function contrasts(page: Page, selectors: string[]): Promise<Record<string, number>> {
  return page.evaluate((selectors) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (byte: number) => {
        const v = byte / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out: Record<string, number> = {};
    for (const sel of selectors) {
      const el = document.querySelector(sel);
      if (!el) {
        out[sel] = 0;
        continue;
      }
      const a = lum(rgb(getComputedStyle(el).color));
      const b = lum(background(el));
      out[sel] = Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100;
    }
    return out;
  }, selectors);
}

describe("readable on a phone, light and dark", () => {
  for (const colorScheme of ["light", "dark"] as const) {
    test(`text contrast is at least 4.5:1 (${colorScheme})`, async () => {
      const page = await openPost(await browser.context({ colorScheme }));
      const f = form(page);
      await f.submit.click();
      await page.locator(".form-message[role=alert]").waitFor();
      const ratios = await contrasts(page, [
        "body",
        ".site-description",
        ".post-meta",
        ".tag",
        ".post-body blockquote",
        ".comment-number",
        ".comment-author",
        ".comment-meta time",
        ".comment-body p",
        ".comment-reply",
        ".comment-count",
        ".field label",
        ".field small",
        ".required",
        ".field-error:not([hidden])",
        ".form-message",
        "button[type=submit]",
        ".site-footer a",
      ]);
      const low = Object.entries(ratios).filter(([, r]) => r < 4.5);
      expect(low).toEqual([]);
      const dark = await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches);
      expect(dark).toBe(colorScheme === "dark");
    });
  }

  test("links and buttons of the comments are targets at least 24 px tall", async () => {
    const page = await openPost(await browser.context());
    await page.locator("#comment-1 .comment-reply").first().click();
    const small = await page.evaluate(() =>
      [...document.querySelectorAll("#comments .comment-reply, #comments .comment-number, #comments button")]
        .map((el) => ({ what: `${el.className || el.tagName} ${el.textContent!.trim()}`, height: el.getBoundingClientRect().height }))
        .filter((t) => t.height < 24),
    );
    expect(small).toEqual([]);
  });

  test("nothing is wider than a 320 px screen", async () => {
    const page = await openPost(await browser.context({ viewport: { width: 320, height: 640 } }));
    const overflow = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      wide: [...document.querySelectorAll("main *")]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((el) => `${el.tagName}.${el.className}`)
        .slice(0, 5),
    }));
    expect(overflow).toEqual({ page: 0, wide: [] });
  });
});
