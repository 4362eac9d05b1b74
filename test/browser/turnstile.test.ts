// When the blog turns Cloudflare Turnstile on, the page carries its placeholder and allows its
// script; the widget loads the challenge into the form, sends its token with the comment and asks
// for a fresh one after every try. No outside network here: the page is served as a blog with a
// site key would serve it, and Turnstile's script is a stand-in with the same calls.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { COMMENTS_API, form, PAGE, recordPosts, unique, useBrowser } from "./helpers.ts";

const browser = useBrowser();
const SITE_KEY = "1x00000000000000000000AA";

// Turnstile's explicit rendering, as far as the widget uses it: render() puts a hidden token field
// in the box, reset() replaces the token; the script calls the `onload` function it is given.
const FAKE_TURNSTILE = `
window.turnstile = {
  tokens: 0,
  calls: [],
  render(box, options) {
    this.calls.push(["render", options]);
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = options["response-field-name"] || "cf-turnstile-response";
    input.value = "token-" + ++this.tokens;
    box.append(input);
    this.box = box;
    return "widget-1";
  },
  reset(id) {
    this.calls.push(["reset", id]);
    this.box.querySelector("input").value = "token-" + ++this.tokens;
  },
};
window[new URL(document.currentScript.src).searchParams.get("onload")]();
`;

async function pageWithTurnstile(page: Page, scripts: string[]): Promise<void> {
  await page.route("https://challenges.cloudflare.com/**", (route) => {
    scripts.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "text/javascript", body: FAKE_TURNSTILE });
  });
  await page.route(PAGE, async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace('<p><button type="submit">', `<div class="turnstile" data-sitekey="${SITE_KEY}"></div><p><button type="submit">`);
    const headers = res.headers();
    headers["content-security-policy"] = headers["content-security-policy"].replace("script-src 'self'", "script-src 'self' https://challenges.cloudflare.com");
    await route.fulfill({ response: res, body: html, headers });
  });
  await page.goto(PAGE);
}

describe("Turnstile", () => {
  test("the page without a site key asks nothing of Cloudflare", async () => {
    const page = await (await browser.context()).newPage();
    const outside: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(new URL(PAGE).origin)) outside.push(r.url());
    });
    await page.goto(PAGE);
    await page.waitForLoadState("networkidle");
    expect(outside).toEqual([]);
  });

  test("the challenge is loaded in the form, its token sent, and renewed after each try", async () => {
    const page = await (await browser.context()).newPage();
    const scripts: string[] = [];
    await pageWithTurnstile(page, scripts);
    const f = form(page);
    await page.waitForFunction(() => document.querySelector("form.comment-form .turnstile input[name=cf-turnstile-response]"));
    expect(scripts).toEqual(["https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit&onload=billetTurnstile"]);
    const render = await page.evaluate(() => (window as unknown as { turnstile: { calls: unknown[][] } }).turnstile.calls[0]);
    expect(render).toEqual(["render", { sitekey: SITE_KEY, "response-field-name": "cf-turnstile-response", language: "fr" }]);

    // First try refused by the anti-spam check; the second, with a fresh token, goes through.
    let refuse = true;
    await page.route(`${COMMENTS_API}**`, (route) =>
      route.request().method() === "POST" && refuse
        ? route.fulfill({
            status: 422,
            contentType: "application/json",
            body: JSON.stringify({
              error: { code: "validation_failed", message: "The anti-spam check failed; please try again.", fields: { "cf-turnstile-response": "invalid" } },
            }),
          })
        : route.continue(),
    );
    const posts = recordPosts(page);
    const text = unique("Vérifié par Turnstile.");
    await f.name.fill(unique("Humaine"));
    await f.content.fill(text);
    await f.submit.click();
    await page.locator(".form-message[role=alert]").waitFor();
    expect(await f.message.textContent()).toBe(
      "Le contrôle anti-spam n’a pas abouti : votre commentaire n’a pas été envoyé. Réessayez. Votre brouillon est conservé.",
    );
    expect(await f.content.inputValue()).toBe(text);

    refuse = false;
    await f.submit.click();
    await page.locator(".form-message--ok").waitFor();
    expect(posts.map((p) => (p.postDataJSON() as Record<string, string>)["cf-turnstile-response"])).toEqual(["token-1", "token-2"]);
    const resets = await page.evaluate(
      () => (window as unknown as { turnstile: { calls: unknown[][] } }).turnstile.calls.filter((c) => c[0] === "reset").length,
    );
    expect(resets).toBe(2);
  });
});
