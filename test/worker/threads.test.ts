// Comments on other sites' pages (README, "Comments on any site"): who may read and start a
// thread, CORS, the cap on new threads, the fragment and its ETag, counts by address.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, approve, call, expectError, fetchWith, newReader, postForm, postJson, SLUG, uniqueComment } from "./helpers.ts";
import { threadKey } from "../../workers/store/thread-key.ts";
import { mailEnv } from "./mail.ts";
import { roundTripsOf } from "../../workers/http/server-timing.ts";

// The sites the tests' configuration allows (vitest.config.ts): amie.example and www.carnet.example.
const AMIE = "https://amie.example";
const CARNET = "https://www.carnet.example";
let pages = 0;
/** A page of amie.example no test has used yet. */
const newPage = (site = AMIE) => `${site}/billets/${++pages}-${crypto.randomUUID().slice(0, 8)}/`;

interface Posted {
  comment: { id: number; post_slug: string; parent_id: number | null; html: string };
  status: string;
  edit_token: string;
  thread: { key: string; url: string };
}

function postOn(page: string, fields: Record<string, unknown> = {}, headers: Record<string, string> = { Origin: AMIE }) {
  return postJson("/api/threads/comments", { url: page, title: "Une page", ...uniqueComment(), ...fields }, headers);
}

async function threadRows(key: string) {
  const threads = await env.DB.prepare("SELECT * FROM threads WHERE key = ?").bind(key).all<{ title: string; url: string; site: string }>();
  const comments = await env.DB.prepare("SELECT id FROM comments WHERE post_slug = ?").bind(key).all();
  return { threads: threads.results, comments: comments.results.length };
}

const keyOf = async (page: string) => threadKey(new URL(page).href.replace("://www.", "://").replace(/\/$/, ""), null);

describe("reading a thread", () => {
  it("answers an empty list for a page without comments, and creates nothing", async () => {
    const page = newPage();
    const res = await call(`/api/threads/comments?url=${encodeURIComponent(page)}`, { headers: { Origin: AMIE } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(AMIE);
    expect(res.headers.get("Vary")).toContain("Origin");
    const body = (await res.json()) as { comments: unknown[]; meta: { total: number }; thread: { title: string | null; page: string | null } };
    expect(body.comments).toEqual([]);
    expect(body.meta.total).toBe(0);
    expect(body.thread.page).toBeNull();
    expect(await threadRows(await keyOf(page))).toEqual({ threads: [], comments: 0 });
  });

  it("refuses a page of a site not allowed, and a page read from another site's browser", async () => {
    await expectError(await call(`/api/threads/comments?url=${encodeURIComponent("https://inconnu.example/a/")}`), 403, "forbidden");
    await expectError(
      await call(`/api/threads/comments?url=${encodeURIComponent(newPage())}`, { headers: { Origin: "https://evil.example" } }),
      403,
      "forbidden",
    );
    await expectError(await call(`/api/threads/comments?url=${encodeURIComponent(newPage())}`, { headers: { Origin: CARNET } }), 403, "forbidden");
    await expectError(await call("/api/threads/comments"), 400, "bad_request");
    await expectError(await call("/api/threads/comments?url=javascript:alert(1)"), 400, "bad_request");
  });
});

describe("starting a thread", () => {
  it("stores the thread with its first comment, keyed by the normalised address, title as given", async () => {
    const page = newPage();
    const res = await postOn(`${page.replace("https://", "http://www.")}?utm_source=x#top`, { title: "  Une <b>page</b>\n" });
    expect(res.status).toBe(202);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(AMIE);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    const body = (await res.json()) as Posted;
    expect(body.thread.url).toBe(page.replace(/\/$/, ""));
    expect(body.thread.key).toBe(await keyOf(page));
    expect(body.comment.post_slug).toBe(body.thread.key);
    const rows = await threadRows(body.thread.key);
    expect(rows.threads).toHaveLength(1);
    expect(rows.threads[0]).toMatchObject({ site: AMIE, url: body.thread.url, title: "Une <b>page</b>" });
    // A second comment adds to the same thread.
    expect((await postOn(page)).status).toBe(202);
    expect((await threadRows(body.thread.key)).comments).toBe(2);
  });

  it("creates nothing for a forbidden origin, a made-up site, another site's page, or no origin", async () => {
    for (const [page, headers] of [
      [newPage(), { Origin: "https://evil.example" }],
      ["https://inconnu.example/page/", { Origin: AMIE }],
      ["https://inconnu.example/page/", { Origin: "https://inconnu.example" }],
      [newPage(CARNET), { Origin: AMIE }],
      [newPage(), {}],
    ] as const) {
      const res = await postOn(page, {}, headers);
      await expectError(res, 403, "forbidden");
      // An allowed site may read why it was refused; no one else may read anything.
      const origin = "Origin" in headers ? headers.Origin : undefined;
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(origin === AMIE ? AMIE : null);
      expect(await threadRows(await keyOf(page))).toEqual({ threads: [], comments: 0 });
    }
    const evil = await call("/api/threads/comments", {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
    });
    expect(evil.status).toBe(403);
    expect(evil.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("answers the allowed site's preflight, from its www. and bare spellings", async () => {
    for (const origin of [CARNET, "https://carnet.example"]) {
      const res = await call("/api/threads/comments", { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "POST" } });
      expect(res.status).toBe(204);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(origin);
      expect(res.headers.get("Access-Control-Allow-Headers")).toContain("X-Edit-Token");
    }
    expect((await postOn(newPage("https://carnet.example"), {}, { Origin: CARNET })).status).toBe(202);
  });

  it("lets the allowed site's widget preview a comment (the server's renderer), and no other site", async () => {
    const preflight = await call("/api/preview", { method: "OPTIONS", headers: { Origin: AMIE, "Access-Control-Request-Method": "POST" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe(AMIE);
    const res = await postJson("/api/preview", { content: "Un *essai*" }, { Origin: AMIE });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(AMIE);
    expect(((await res.json()) as { html: string }).html).toContain("<em>essai</em>");
    const evil = await call("/api/preview", { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" } });
    expect(evil.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("never opens the admin API or a post's comments to an embedding site", async () => {
    const admin = await call("/api/admin/comments", { headers: { ...ADMIN, Origin: AMIE } });
    await expectError(admin, 403, "forbidden");
    expect(admin.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const preflight = await call("/api/admin/comments", { method: "OPTIONS", headers: { Origin: AMIE } });
    expect(preflight.status).toBe(403);
    await expectError(await postJson(`/api/posts/${SLUG}/comments`, uniqueComment(), { Origin: AMIE }), 403, "forbidden");
  });

  it("caps the new threads one client starts in an hour; comments on its threads go on", async () => {
    const reader = newReader();
    const post = (page: string) =>
      fetchWith({ EMBED_THREADS_PER_HOUR: "2", COMMENT_RATE_LIMIT: "off" }, "/api/threads/comments", {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: AMIE, ...reader },
        body: JSON.stringify({ url: page, ...uniqueComment() }),
      });
    const [first, second, third] = [newPage(), newPage(), newPage()];
    expect((await post(first)).status).toBe(202);
    expect((await post(second)).status).toBe(202);
    const refused = await post(third);
    await expectError(refused, 429, "rate_limited");
    expect(refused.headers.get("Access-Control-Expose-Headers")).toContain("Retry-After");
    expect(await threadRows(await keyOf(third))).toEqual({ threads: [], comments: 0 });
    // A thread already there takes more comments from the same client.
    expect((await post(first)).status).toBe(202);
    // Another client may start one.
    expect((await postOn(third)).status).toBe(202);
  });

  it("keys a thread by its explicit id, whatever the page's address on the site", async () => {
    const id = `billet-${crypto.randomUUID()}`;
    const a = (await (await postOn(newPage(), { thread_id: id })).json()) as Posted;
    const b = (await (await postOn(newPage(), { thread_id: id })).json()) as Posted;
    expect(a.thread.key).toBe(b.thread.key);
    await expectError(await postOn(newPage(), { thread_id: "<b>" }), 400, "bad_request");
  });
});

describe("a thread's comments", () => {
  it("lists approved ones, takes replies within the thread only, and lets the author edit with the token", async () => {
    const page = newPage();
    const first = (await (await postOn(page)).json()) as Posted;
    await approve(first.comment.id);
    const listed = (await (await call(`/api/threads/comments?url=${encodeURIComponent(page)}`)).json()) as {
      comments: { id: number }[];
      thread: { page: string };
    };
    expect(listed.comments.map((c) => c.id)).toEqual([first.comment.id]);
    expect(listed.thread.page).toBe(`https://billet.test/threads/${first.thread.key}/`);
    const reply = await postOn(page, { parent_id: first.comment.id });
    expect(reply.status).toBe(202);
    expect(((await reply.json()) as Posted).comment.parent_id).toBe(first.comment.id);
    // A seed comment of the post is not in this thread.
    const stray = await postOn(page, { parent_id: 1 });
    expect((await expectError(stray, 422, "validation_failed")).error.fields?.parent_id).toBe("not_found");
    const edit = await call(`/api/comments/${first.comment.id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", Origin: AMIE, "X-Edit-Token": first.edit_token, ...newReader() },
      body: JSON.stringify({ content: "Corrigé." }),
    });
    expect(edit.status).toBe(200);
    expect(edit.headers.get("Access-Control-Allow-Origin")).toBe(AMIE);
  });

  it("takes the fragment's form without JavaScript and sends the reader back to the page, with no cookie", async () => {
    const page = newPage();
    const res = await postForm("/api/threads/comments", { url: page, title: "Une page", author_name: "Zoé", content: "Sans JavaScript." }, { Origin: AMIE });
    expect(res.status).toBe(303);
    const location = res.headers.get("Location") ?? "";
    expect(location.startsWith(`${page}#comment-`)).toBe(true);
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("counts approved comments by address, equivalent spellings and unknown pages included", async () => {
    const page = newPage();
    for (let i = 0; i < 3; i++) await approve(((await (await postOn(page)).json()) as Posted).comment.id);
    await postOn(page); // held: not counted
    const spellings = [page, page.replace(/\/$/, ""), page.replace("https://", "http://www."), newPage(), "https://inconnu.example/x/", "nope"];
    const res = await call(`/api/threads/counts?${spellings.map((u) => `url=${encodeURIComponent(u)}`).join("&")}`, { headers: { Origin: AMIE } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(AMIE);
    expect(Object.values((await res.json()) as Record<string, number>)).toEqual([3, 3, 3, 0, 0, 0]);
    await expectError(await call("/api/threads/counts"), 400, "bad_request");
  });
});

describe("GET /embed/comments", () => {
  it("is the renderer's section with absolute links and form, an ETag that moves with the comments, and CORS", async () => {
    const page = newPage();
    const first = (await (await postOn(page, { content: "Premier **avis**." })).json()) as Posted;
    await approve(first.comment.id);
    const path = `/embed/comments?url=${encodeURIComponent(page)}&title=${encodeURIComponent("<script>x</script>")}`;
    const res = await call(path, { headers: { Origin: AMIE } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(AMIE);
    const html = await res.text();
    expect(html).toContain("<strong>avis</strong>");
    expect(html).toContain(`id="comment-${first.comment.id}"`);
    expect(html).toContain(`action="https://billet.test/api/threads/comments"`);
    // The page as given: the no-JS form comes back to exactly that address.
    expect(html).toContain(`name="url" value="${page}"`);
    expect(html).toContain(`href="https://billet.test/threads/${first.thread.key}/?reply_to=${first.comment.id}#respond"`);
    // The title is text: escaped, never markup.
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
    const etag = res.headers.get("ETag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    // Asked again while nothing changed: the same fragment, from the cache, without reading D1.
    const again = await call(path, { headers: { Origin: AMIE } });
    expect(roundTripsOf(again.headers.get("Server-Timing"))).toBe(0);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(await again.text()).toBe(html);
    expect((await call(path, { headers: { "If-None-Match": etag } })).status).toBe(304);
    await approve(((await (await postOn(page)).json()) as Posted).comment.id);
    const after = await call(path, { headers: { "If-None-Match": etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get("ETag")).not.toBe(etag);
  });

  it("refuses other sites' browsers and unknown sites, and answers an empty thread without creating it", async () => {
    const page = newPage();
    await expectError(await call(`/embed/comments?url=${encodeURIComponent(page)}`, { headers: { Origin: "https://evil.example" } }), 403, "forbidden");
    await expectError(await call(`/embed/comments?url=${encodeURIComponent("https://inconnu.example/")}`), 403, "forbidden");
    const empty = await call(`/embed/comments?url=${encodeURIComponent(page)}&lang=en`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toContain("No comments yet");
    expect(await threadRows(await keyOf(page))).toEqual({ threads: [], comments: 0 });
  });
});

describe("billet's page of a thread", () => {
  it("shows the comments, a link back to the page, and the page's title as text", async () => {
    const page = newPage();
    const first = (await (await postOn(page, { title: `<img src=x onerror="alert(1)">Mon billet` })).json()) as Posted;
    await approve(first.comment.id);
    const res = await call(`/threads/${first.thread.key}/?reply_to=${first.comment.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Mon billet");
    expect(html).toContain(`href="${page.replace(/\/$/, "")}"`);
    expect(html).toContain(`name="parent_id" value="${first.comment.id}"`);
    expect((await call("/threads/~000000000000000000000000/")).status).toBe(404);
  });
});

describe("email for a comment on another site's page", () => {
  it("names the page by its title and links to billet's page of the thread", async () => {
    const mail = mailEnv();
    const page = newPage();
    const res = await mail.request("/api/threads/comments", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: AMIE, ...newReader() },
      body: JSON.stringify({ url: page, title: "Carnet de voyage", ...uniqueComment() }),
    });
    expect(res.status).toBe(202);
    const posted = (await res.json()) as Posted;
    await mail.deliverQueued();
    const message = mail.mailbox.find((m) => m.text.includes(`#comment-${posted.comment.id}`));
    expect(message?.subject).toContain("Carnet de voyage");
    expect(message?.text).toContain(`https://billet.test/threads/${posted.thread.key}/#comment-${posted.comment.id}`);
  });
});

describe("the admin list by site", () => {
  it("filters another site's comments or the blog's own, and names each comment's page", async () => {
    const page = newPage(CARNET);
    const posted = (await (await postOn(page, { title: "Sur le carnet" }, { Origin: CARNET })).json()) as Posted;
    const list = async (site: string) => {
      const res = await call(`/api/admin/comments?status=pending&limit=200&site=${encodeURIComponent(site)}`, { headers: ADMIN });
      expect(res.status).toBe(200);
      return ((await res.json()) as { comments: { id: number; post_slug: string; page: { site: string; url: string; title: string } | null }[] }).comments;
    };
    const carnet = await list(CARNET);
    expect(carnet.length).toBeGreaterThan(0);
    expect(carnet.every((c) => c.page?.site === CARNET)).toBe(true);
    expect(carnet.find((c) => c.id === posted.comment.id)?.page).toEqual({
      site: CARNET,
      url: page.replace("://www.", "://").replace(/\/$/, ""),
      title: "Sur le carnet",
    });
    const blog = await list("blog");
    expect(blog.some((c) => c.post_slug.startsWith("~") || c.page !== null)).toBe(false);
    expect(await list("https://inconnu.example")).toEqual([]);
  });
});

describe("the site's comments feed", () => {
  it("lists an outside thread's approved comment, linking to its page there, with the page's title as text", async () => {
    const page = newPage(CARNET);
    const posted = (await (await postOn(page, { title: "Une <b>page</b> & co" }, { Origin: CARNET })).json()) as Posted;
    const waiting = await (await call("/comments.xml")).text();
    expect(waiting).not.toContain(`#comment-${posted.comment.id}"`);
    await approve(posted.comment.id);
    const xml = await (await call("/comments.xml")).text();
    const at = `${posted.thread.url}#comment-${posted.comment.id}`;
    const entry = xml.split("<entry>").find((e) => e.includes(`<link href="${at}"/>`));
    expect(entry).toBeDefined();
    expect(entry).toContain(`<id>${at}</id>`);
    expect(entry).toContain("Une &lt;b&gt;page&lt;/b&gt; &amp; co");
    expect(entry).not.toContain("<b>");
  });
});

describe("the admin's site filter", () => {
  it("finds the sites that take comments in /api/config", async () => {
    const config = (await (await call("/api/config")).json()) as { embed_sites: string[] };
    expect(config.embed_sites).toEqual([AMIE, CARNET]);
  });
});
