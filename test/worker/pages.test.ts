// The post page served at the edge: the static page with its comments filled in from D1, cached,
// and fresh again as soon as its thread changes. And the headers every answer carries.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, approve, call, expectError, postJson, SLUG, uniqueComment } from "./helpers.ts";
import { forgetPost } from "../../workers/pages/cache.ts";

const PAGE = `/posts/${SLUG}/`;

function commentIds(html: string): number[] {
  return [...html.matchAll(/<li id="comment-(\d+)" class="comment"/g)].map((m) => Number(m[1]));
}

describe("the post page", () => {
  it("has the post, the six seed comments numbered 1 to 6, and the form, in the HTML itself", async () => {
    const res = await call(PAGE);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<h1 id="post-title">Réseaux sociaux, trois ans après</h1>');
    expect(html).toContain("J’ai récemment découvert le billet de Pascal Faucompré");
    expect(html).toContain("soi-disante “mega soirée d’amis”");
    const ids = commentIds(html).slice(0, 6);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    for (const n of [1, 2, 3, 4, 5, 6]) expect(html).toContain(`href="#comment-${n}" aria-label="Lien vers la réaction ${n}">${n}</a>`);
    expect(html).toContain("Vos réactions");
    expect(html).toContain("Laissez un commentaire");
    expect(html).toContain(`<form class="comment-form" method="post" action="/api/posts/${SLUG}/comments"`);
    expect(html).toContain("mars 2008");
  });

  it("shows a newly approved comment at once (the cached page is invalidated)", async () => {
    const before = await (await call(PAGE)).text();
    const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment());
    const { comment } = (await res.json()) as { comment: { id: number } };
    expect(commentIds(await (await call(PAGE)).text())).not.toContain(comment.id);
    await approve(comment.id);
    const after = await (await call(PAGE)).text();
    expect(commentIds(after)).toContain(comment.id);
    expect(after).not.toBe(before);
    // Moderated away again: gone from the page.
    await call(`/api/admin/comments/${comment.id}/spam`, { method: "POST", headers: ADMIN });
    expect(commentIds(await (await call(PAGE)).text())).not.toContain(comment.id);
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const res = await call(PAGE);
    const etag = res.headers.get("ETag");
    expect(etag).toBeTruthy();
    expect((await call(PAGE, { headers: { "If-None-Match": etag! } })).status).toBe(304);
  });

  it("fills the form for a no-JS reply", async () => {
    const html = await (await call(`${PAGE}?reply_to=3`)).text();
    expect(html).toContain('<input type="hidden" name="parent_id" value="3">');
    expect(html).toContain("Réponse à Anonyme (3)");
  });

  it("shows threads in pages, and 404 past the last one", async () => {
    expect((await call(`${PAGE}?page=999`)).status).toBe(404);
    expect((await call(`${PAGE}?page=abc`)).status).toBe(404);
  });

  it("serves the 404 page for unknown posts and redirects the slash-less address", async () => {
    const res = await call("/posts/nope/");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Page introuvable");
    const redirect = await call(`/posts/${SLUG}`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("Location")).toBe(`https://billet.test${PAGE}`);
  });

  it("says comments are closed on a closed post's page", async () => {
    const record = JSON.parse((await env.POSTS.get(`post:${SLUG}`))!);
    await env.POSTS.put(`post:${SLUG}`, JSON.stringify({ ...record, comments_open: false }));
    forgetPost(SLUG); // as this isolate does by itself a few seconds later
    try {
      const html = await (await call(`${PAGE}?reply_to=1`)).text();
      expect(html).toContain("Les commentaires sont fermés pour ce billet.");
      expect(html).not.toContain('<form class="comment-form"');
    } finally {
      await env.POSTS.put(`post:${SLUG}`, JSON.stringify(record));
      forgetPost(SLUG);
    }
  });
});

describe("headers", () => {
  it("sends a strict CSP and the security headers on pages and API answers", async () => {
    for (const path of [PAGE, "/api/config", "/api/nothing"]) {
      const res = await call(path);
      const csp = res.headers.get("Content-Security-Policy")!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("Strict-Transport-Security")).toContain("max-age=");
    }
  });

  it("allows CORS only for configured origins, with Vary: Origin", async () => {
    const friend = await call("/api/config", { headers: { Origin: "https://ami.example" } });
    expect(friend.headers.get("Access-Control-Allow-Origin")).toBe("https://ami.example");
    expect(friend.headers.get("Vary")).toContain("Origin");
    const stranger = await call("/api/config", { headers: { Origin: "https://evil.example" } });
    expect(stranger.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(stranger.headers.get("Vary")).toContain("Origin");
    const preflight = await call(`/api/posts/${SLUG}/comments`, {
      method: "OPTIONS",
      headers: { Origin: "https://ami.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Methods")).toContain("POST");
    const badPreflight = await call(`/api/posts/${SLUG}/comments`, { method: "OPTIONS", headers: { Origin: "https://evil.example" } });
    expect(badPreflight.status).toBe(403);
    await expectError(await postJson(`/api/posts/${SLUG}/comments`, uniqueComment(), { Origin: "https://evil.example" }), 403, "forbidden");
    expect((await postJson(`/api/posts/${SLUG}/comments`, uniqueComment(), { Origin: "https://ami.example" })).status).toBe(202);
  });

  it("refuses every other origin on admin routes, even a configured one", async () => {
    await expectError(await call("/api/admin/comments", { headers: { ...ADMIN, Origin: "https://ami.example" } }), 403, "forbidden");
    expect((await call("/api/admin/comments", { headers: { ...ADMIN, Origin: "https://billet.test" } })).status).toBe(200);
  });
});

describe("a long thread", () => {
  it("shows 50 threads a page with their replies, numbered on from page to page", async () => {
    // 70 more threads, each with two replies, straight into D1 (as an import would).
    const now = Date.now();
    const insert = env.DB.prepare(
      "INSERT INTO comments (post_slug, parent_id, root_id, depth, author_name, content, html, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?)",
    );
    const rootIds: number[] = [];
    for (let i = 0; i < 70; i++) {
      const root = await insert.bind(SLUG, null, null, 0, `Fil ${i}`, `Fil ${i}`, `<p>Fil ${i}</p>`, now + i, now + i).run();
      const id = root.meta.last_row_id;
      rootIds.push(id);
      await env.DB.batch([
        insert.bind(SLUG, id, id, 1, "R", `Réponse ${i}a`, `<p>Réponse ${i}a</p>`, now, now),
        insert.bind(SLUG, id, id, 1, "R", `Réponse ${i}b`, `<p>Réponse ${i}b</p>`, now, now),
      ]);
    }
    // Approving a comment clears the post's cached pages.
    const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment());
    await approve(((await res.json()) as { comment: { id: number } }).comment.id);
    const roots = (await env.DB.prepare("SELECT count(*) AS n FROM comments WHERE post_slug = ? AND status = 'approved' AND root_id IS NULL")
      .bind(SLUG)
      .first<{ n: number }>())!.n;
    expect(roots).toBeGreaterThan(70);

    const first = await (await call(PAGE)).text();
    const threads = (html: string) =>
      [
        ...html.matchAll(
          /<li id="comment-(\d+)" class="comment"[^>]*><article[^>]*><header class="comment-meta"><a class="comment-number" href="#comment-\d+" aria-label="[^"]*">(\d+)<\/a>/g,
        ),
      ].map((m) => Number(m[2]));
    expect(threads(first)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(first).toContain("Réponse 0a");
    expect(first).toContain(`rel="next" href="/posts/${SLUG}/?page=2#comments-title"`);
    const second = await (await call(`${PAGE}?page=2`)).text();
    expect(threads(second)[0]).toBe(51);
    expect(threads(second).at(-1)).toBe(Math.min(100, roots));
    expect(second).toContain(`id="comment-${rootIds.at(-1)}"`);
    expect(second).toContain("Réponse 69b");
    expect(second).not.toContain("Réponse 0a");
    expect(second).toContain(`rel="prev" href="/posts/${SLUG}/#comments-title"`);
  });
});
