// The commenter's own comments while the edit window runs: the widget's list (GET /api/comments/mine),
// the no-JS page and its forms, the link on the reader's own page, and the preview (POST /api/preview).
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderCommentHtml } from "../../workers/render/markdown.ts";
import { XSS } from "../fixtures/hostile.ts";
import { within } from "../time-limit.ts";
import { call, expectError, newReader, ORIGIN, postForm, postJson, SLUG, uniqueComment } from "./helpers.ts";

const COMMENTS = `/api/posts/${SLUG}/comments`;
type Mine = { id: number; post_slug: string; content: string; editable_until: string };

/** Posts a comment as a reader whose cookie is `cookie` (none: a new reader); answers its id and the reader's cookies. */
async function write(content?: string, cookie = ""): Promise<{ id: number; html: string; cookie: string; hint: string }> {
  const res = await postJson(COMMENTS, uniqueComment(content ? { content } : {}), cookie ? { Cookie: cookie } : {});
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  const body = (await res.json()) as { comment: { id: number; html: string } };
  const set = res.headers.getSetCookie();
  const own = set.find((c) => c.startsWith("billet_own="))!;
  const hint = set.find((c) => c.startsWith("billet_edit="))!;
  return { id: body.comment.id, html: body.comment.html, cookie: own.split(";")[0], hint };
}

async function mine(cookie: string): Promise<Mine[]> {
  const res = await call("/api/comments/mine", { headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("private, no-store");
  return ((await res.json()) as { comments: Mine[] }).comments;
}

/** Moves a comment's writing time back past the edit window (15 minutes in these tests). */
const age = (id: number) => env.DB.prepare("UPDATE comments SET created_at = created_at - 16 * 60000 WHERE id = ?").bind(id).run();

const countRows = async () => (await env.DB.prepare("SELECT count(*) AS n FROM comments").first<{ n: number }>())!.n;

describe("GET /api/comments/mine", () => {
  it("lists the reader's comments still in their window, from the HttpOnly cookie; the hint cookie says only when it ends", async () => {
    const a = await write();
    const b = await write(undefined, a.cookie);
    const list = await mine(b.cookie);
    expect(list.map((m) => m.id).sort()).toEqual([a.id, b.id].sort());
    const first = list.find((m) => m.id === a.id)!;
    expect(first.post_slug).toBe(SLUG);
    const ends = Date.parse(first.editable_until) - Date.now();
    expect(ends).toBeGreaterThan(14 * 60_000);
    expect(ends).toBeLessThanOrEqual(15 * 60_000);
    // The ids stay in the HttpOnly cookie; the script-readable one holds a time and nothing else.
    expect(b.hint).toMatch(/^billet_edit=\d{10}; Path=\/; Max-Age=(899|900); SameSite=Lax; Secure$/);
    expect(b.hint).not.toContain("HttpOnly");
    // Another reader, or none, has nothing.
    expect(await mine((await write()).cookie).then((l) => l.map((m) => m.id))).not.toContain(a.id);
    expect(await mine("")).toEqual([]);
    expect(await mine("billet_own=1-2.99999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toEqual([]);
  });

  it("drops a comment once its window has passed, and one deleted; keeps the last 20 of a prolific reader", { timeout: within(3_000) }, async () => {
    let cookie = "";
    const ids: number[] = [];
    for (let i = 0; i < 23; i++) {
      const w = await write(undefined, cookie);
      cookie = w.cookie;
      ids.push(w.id);
    }
    expect((await mine(cookie)).map((m) => m.id).sort((x, y) => x - y)).toEqual(ids.slice(-20));
    await age(ids[22]);
    const del = await call(`/api/comments/${ids[21]}`, { method: "DELETE", headers: { Cookie: cookie } });
    expect(del.status).toBe(204);
    const left = (await mine(cookie)).map((m) => m.id);
    expect(left).not.toContain(ids[22]);
    expect(left).not.toContain(ids[21]);
    expect(left).toHaveLength(18);
  });
});

describe("the reader's own page", () => {
  it("links each of their comments still in its window to its page, with the minutes left; nobody else sees it", async () => {
    const w = await write();
    const theirs = await (await call(`/posts/${SLUG}/`, { headers: { Cookie: w.cookie } })).text();
    expect(theirs).toContain(`<a class="comment-edit" href="/comments/${w.id}/edit">Modifier ou supprimer (encore 15 min)</a>`);
    const everyone = await (await call(`/posts/${SLUG}/`)).text();
    expect(everyone).not.toContain("comment-edit");
    await age(w.id);
    const later = await (await call(`/posts/${SLUG}/`, { headers: { Cookie: w.cookie } })).text();
    expect(later).toContain(`id="comment-${w.id}"`);
    expect(later).not.toContain(`/comments/${w.id}/edit`);
  });
});

describe("the no-JS edit page and its forms", () => {
  it("shows the text in a form, private and out of search engines", async () => {
    const w = await write("Mon texte <à> **corriger**");
    const res = await call(`/comments/${w.id}/edit`, { headers: { Cookie: w.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(html).toContain(`<form class="comment-form" method="post" action="/api/comments/${w.id}/edit">`);
    expect(html).toContain(">Mon texte &lt;à&gt; **corriger**</textarea>");
    expect(html).toContain(`<form method="post" action="/api/comments/${w.id}/delete">`);
    expect(html).toMatch(/encore 1[45] min/);
  });

  it("refuses another reader, an unknown comment, and a comment past its window, with a page that says why", async () => {
    const w = await write();
    const other = await write();
    const stranger = await call(`/comments/${w.id}/edit`, { headers: { Cookie: other.cookie } });
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain("Seul l’auteur de ce commentaire");
    expect((await call("/comments/99999999/edit", { headers: { Cookie: w.cookie } })).status).toBe(404);
    expect((await call("/comments/abc/edit", { headers: { Cookie: w.cookie } })).status).toBe(404);
    await age(w.id);
    const late = await call(`/comments/${w.id}/edit`, { headers: { Cookie: w.cookie } });
    expect(late.status).toBe(403);
    expect(await late.text()).toContain("le délai est passé");
    const post = await postForm(`/api/comments/${w.id}/edit`, { content: "trop tard" }, { Cookie: w.cookie });
    expect(post.status).toBe(403);
    await expectError(await call(`/api/comments/${w.id}`, { method: "DELETE", headers: { Cookie: w.cookie } }), 403, "edit_window_passed");
    expect(await mine(w.cookie)).toEqual([]);
  });

  it("saves an edit with the same checks as a new comment, then goes back to the comment (303)", async () => {
    const w = await write();
    const empty = await postForm(`/api/comments/${w.id}/edit`, { content: "   " }, { Cookie: w.cookie });
    expect(empty.status).toBe(422);
    const page = await empty.text();
    expect(page).toContain("Ce champ est obligatoire.");
    expect(page).toContain('aria-invalid="true" autofocus');
    const long = await postForm(`/api/comments/${w.id}/edit`, { content: `${"x".repeat(5001)}` }, { Cookie: w.cookie });
    expect(long.status).toBe(422);
    // The text typed is kept in the form it comes back in.
    expect(await long.text()).toContain(`${"x".repeat(5001)}</textarea>`);
    const text = `Corrigé **sans JavaScript** ${crypto.randomUUID()}`;
    const ok = await postForm(`/api/comments/${w.id}/edit`, { content: text }, { Cookie: w.cookie });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("Location")).toBe(`/posts/${SLUG}/#comment-${w.id}`);
    expect((await mine(w.cookie)).find((m) => m.id === w.id)?.content).toBe(text);
    const shown = await (await call(`/posts/${SLUG}/`, { headers: { Cookie: w.cookie } })).text();
    expect(shown).toContain("Corrigé <strong>sans JavaScript</strong>");
  });

  it("refuses a form post from another site (CSRF) and one without the cookie", async () => {
    const w = await write();
    await expectError(await postForm(`/api/comments/${w.id}/delete`, {}, { Cookie: w.cookie, Origin: "https://evil.example" }), 403, "forbidden");
    await expectError(await postForm(`/api/comments/${w.id}/edit`, { content: "x" }, { Cookie: w.cookie, Origin: "https://evil.example" }), 403, "forbidden");
    expect((await postForm(`/api/comments/${w.id}/delete`, {})).status).toBe(403);
    expect((await mine(w.cookie)).map((m) => m.id)).toContain(w.id);
  });

  it("deletes, then goes back to the comments (303); the page says the comment is gone", async () => {
    const w = await write();
    const res = await postForm(`/api/comments/${w.id}/delete`, {}, { Cookie: w.cookie, Origin: "https://billet.test" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/posts/${SLUG}/#comments`);
    expect(await mine(w.cookie)).toEqual([]);
    const again = await call(`/comments/${w.id}/edit`, { headers: { Cookie: w.cookie } });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain("n’existe plus");
    const page = await (await call(`/posts/${SLUG}/`, { headers: { Cookie: w.cookie } })).text();
    expect(page).not.toContain(`id="comment-${w.id}"`);
  });
});

function preview(content: unknown, headers: Record<string, string> = newReader()): Promise<Response> {
  return call("/api/preview", { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify({ content }) });
}

async function previewHtml(content: string): Promise<string> {
  const res = await preview(content);
  expect(res.status, content).toBe(200);
  return ((await res.json()) as { html: string }).html;
}

/** An attribute's value as the browser reads it (the entities markdown-it writes, and numeric ones). */
const decode = (value: string) =>
  value
    .replace(/&#(x?)([0-9a-f]+);?/gi, (_, hex: string, n: string) => String.fromCodePoint(Number.parseInt(n, hex ? 16 : 10) || 0xfffd))
    .replace(/&(amp|lt|gt|quot);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"' })[name]!);

/** Markup a comment may hold, and nothing that runs: no other element, no event handler, no script URL. */
async function problems(html: string): Promise<string[]> {
  const allowed: Record<string, string[]> = { p: [], br: [], em: [], strong: [], code: ["class"], pre: [], blockquote: [], a: ["href", "rel", "title"] };
  const found: string[] = [];
  await new HTMLRewriter()
    .on("*", {
      element(el) {
        if (!allowed[el.tagName]) found.push(`<${el.tagName}>`);
        for (const [name, value] of el.attributes) {
          if (!allowed[el.tagName]?.includes(name)) found.push(`${name} on <${el.tagName}>`);
          if (name === "href" && !["http:", "https:", "mailto:"].includes(new URL(decode(value), ORIGIN).protocol)) found.push(`href=${value}`);
        }
      },
    })
    .transform(new Response(html))
    .text();
  return found;
}

describe("POST /api/preview", () => {
  it("renders exactly what the stored comment shows, and stores nothing", { timeout: within(2_000) }, async () => {
    const samples = [
      "Un *mot* et un **autre**\nà la ligne",
      "> une citation\n\n`code` et https://exemple.org/a?b=1",
      "```\nbloc <de> code\n```",
      "[un lien](https://example.org) et <b>pas de HTML</b>",
    ];
    for (const content of samples) {
      const before = await countRows();
      const html = await previewHtml(content);
      expect(await countRows()).toBe(before);
      expect(html).toBe((await write(content)).html);
    }
  });

  it("agrees with the renderer on any text", { timeout: within(5_000) }, async () => {
    const piece = fc.constantFrom(
      "*",
      "**",
      "_",
      "`",
      "```",
      "> ",
      "\n",
      "\n\n",
      "[a](",
      ")",
      "https://x.example/",
      "<b>",
      "&amp;",
      "é",
      " ",
      "mot",
      "javascript:",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 30 }), async (parts) => {
        const content = `x${parts.join("")}`;
        expect(await previewHtml(content)).toBe(renderCommentHtml(content));
      }),
      { numRuns: 120 },
    );
  });

  it(`leaves hostile Markdown inert (${XSS.length} payloads)`, { timeout: within(5_000) }, async () => {
    for (const content of XSS) {
      const res = await preview(content);
      if (res.status === 422) continue;
      expect(res.status).toBe(200);
      const { html } = (await res.json()) as { html: string };
      expect(await problems(html), content).toEqual([]);
    }
  });

  it("checks the text as a new comment's: required, length, characters, JSON only", async () => {
    expect((await expectError(await preview(""), 422, "validation_failed")).error.fields).toEqual({ content: "required" });
    expect((await expectError(await preview("x".repeat(5001)), 422, "validation_failed")).error.fields).toEqual({ content: "too_long" });
    expect((await expectError(await preview("a\u0000b"), 422, "validation_failed")).error.fields).toEqual({ content: "invalid_characters" });
    expect((await expectError(await preview(42), 422, "validation_failed")).error.fields).toEqual({ content: "invalid" });
    expect(await previewHtml("x".repeat(5000))).toBe(`<p>${"x".repeat(5000)}</p>`);
    const form = await call("/api/preview", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "content=x" });
    await expectError(form, 415, "unsupported_media_type");
    await expectError(await call("/api/preview", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" }), 400, "invalid_json");
    await expectError(await preview("x", { Origin: "https://evil.example" }), 403, "forbidden");
  });

  it("limits one client to 20 previews in 10 seconds (429, Retry-After), others still served", async () => {
    const reader = newReader();
    const codes: number[] = [];
    let limited: Response | null = null;
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await preview(`essai ${i}`, reader);
      codes.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(codes.slice(0, 20).every((c) => c === 200)).toBe(true);
    expect(limited).not.toBeNull();
    expect(limited!.headers.get("Retry-After")).toBe("10");
    await expectError(limited!, 429, "rate_limited");
    expect((await preview("encore")).status).toBe(200);
  });
});
