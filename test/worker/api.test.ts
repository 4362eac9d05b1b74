// The JSON API (README, "The API in brief"), route by route: answers, and every error in the one shape.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, approve, call, expectError, newReader, postForm, postJson, SLUG, uniqueComment } from "./helpers.ts";

const COMMENTS = `/api/posts/${SLUG}/comments`;

interface ApiComment {
  id: number;
  parent_id: number | null;
  depth: number;
  author: { name: string; url: string | null; avatar: string | null; is_author: boolean };
  content: string;
  html: string;
  created_at: string;
  edited_at: string | null;
}

async function list(query = ""): Promise<{ comments: ApiComment[]; meta: { total: number; next_cursor: string | null; open: boolean } }> {
  const res = await call(`${COMMENTS}${query}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function create(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await postJson(COMMENTS, body, headers);
  return { res, body: (await res.json()) as { comment: ApiComment; status: string; edit_token: string; editable_until: string } };
}

describe("GET /api/posts", () => {
  it("lists the seed post with its comment count", async () => {
    const res = await call("/api/posts");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { posts: { slug: string; lang: string; url: string; comment_count: number; title: string }[] };
    const post = body.posts.find((p) => p.slug === SLUG)!;
    expect(post.title).toBe("Réseaux sociaux, trois ans après");
    expect(post.lang).toBe("fr");
    expect(post.url).toBe(`/posts/${SLUG}/`);
    expect(post.comment_count).toBeGreaterThanOrEqual(6);
  });

  it("answers one post, and 404 in the error shape for an unknown one", async () => {
    const res = await call(`/api/posts/${SLUG}`);
    expect(res.status).toBe(200);
    const post = (await res.json()) as { date: string; comments_open: boolean; tags: string[] };
    expect(post.date.startsWith("2008-03")).toBe(true);
    expect(post.comments_open).toBe(true);
    await expectError(await call("/api/posts/nope"), 404, "post_not_found");
    await expectError(await call("/api/posts/..%2F..%2Fetc"), 404, "post_not_found");
  });

  it("answers 404 not_found for unknown API paths", async () => {
    await expectError(await call("/api/nothing/here"), 404, "not_found");
  });
});

describe("GET /api/posts/:slug/comments", () => {
  it("lists the six seed comments in seed order, without private fields", async () => {
    const body = await list();
    const seed = body.comments.slice(0, 6);
    expect(seed.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seed[0].content.startsWith("C’est exactement le constat")).toBe(true);
    expect(seed[5].content.startsWith("Oui, non, oui…")).toBe(true);
    expect(seed[1].html).toContain("<br>");
    expect(seed.every((c) => c.author.name === "Anonyme" && c.parent_id === null)).toBe(true);
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/email|ip_hash|edit_token/);
    expect(body.meta.open).toBe(true);
  });

  it("pages with limit and cursor, oldest or newest first", async () => {
    const first = await list("?limit=2");
    expect(first.comments.map((c) => c.id)).toEqual([1, 2]);
    expect(first.meta.next_cursor).toBe("2");
    const second = await list(`?limit=2&cursor=${first.meta.next_cursor}`);
    expect(second.comments.map((c) => c.id)).toEqual([3, 4]);
    const newest = await list("?sort=newest&limit=200");
    const ids = newest.comments.map((c) => c.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(newest.meta.total).toBe(ids.length);
  });

  it("refuses bad parameters with 400", async () => {
    for (const q of ["?limit=0", "?limit=abc", "?limit=100000", "?sort=sideways", "?cursor=-1"]) {
      await expectError(await call(`${COMMENTS}${q}`), 400, "bad_request");
    }
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const res = await call(COMMENTS);
    const etag = res.headers.get("ETag")!;
    expect(etag).toBeTruthy();
    const again = await call(COMMENTS, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
  });

  it("answers 404 for an unknown post", async () => {
    await expectError(await call("/api/posts/no-such-post/comments"), 404, "post_not_found");
  });
});

describe("POST /api/posts/:slug/comments (JSON)", () => {
  it("holds a first-time commenter's comment (202) and publishes once approved", async () => {
    const input = uniqueComment({ author_email: "Camille@Example.org", author_url: "https://camille.example/" });
    const { res, body } = await create(input);
    expect(res.status).toBe(202);
    expect(body.status).toBe("pending");
    expect(body.edit_token).toMatch(/^[\w-]{20,}$/);
    expect(Date.parse(body.editable_until)).toBeGreaterThan(Date.now());
    expect(res.headers.get("Location")).toBe(`/posts/${SLUG}/#comment-${body.comment.id}`);
    expect(JSON.stringify(body)).not.toContain("Camille@Example.org");
    expect((await list("?limit=200")).comments.some((c) => c.id === body.comment.id)).toBe(false);

    await approve(body.comment.id);
    const after = await list("?limit=200");
    const shown = after.comments.find((c) => c.id === body.comment.id)!;
    expect(shown.content).toBe(input.content);
    expect(shown.author).toEqual({
      name: input.author_name,
      url: "https://camille.example/",
      avatar: expect.stringMatching(/^\/avatars\/[0-9a-f]{20}\.svg$/),
      is_author: false,
    });
    expect(JSON.stringify(after).toLowerCase()).not.toContain("camille@example.org");

    // Trusted now, from the browser that wrote it (its cookie): the same email is published at once (201).
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("billet_own="))!
      .split(";")[0];
    const second = await create(uniqueComment({ author_email: "camille@example.org" }), { Cookie: cookie });
    expect(second.res.status).toBe(201);
    expect(second.body.status).toBe("approved");
  });

  it("renders the safe Markdown subset and keeps raw HTML as text", async () => {
    const { body } = await create(uniqueComment({ content: `*oui* <b>non</b> [lien](https://exemple.fr) ${crypto.randomUUID()}` }));
    expect(body.comment.html).toContain("<em>oui</em>");
    expect(body.comment.html).toContain("&lt;b&gt;non&lt;/b&gt;");
    expect(body.comment.html).toContain('<a href="https://exemple.fr" rel="nofollow ugc noopener">lien</a>');
  });

  it("refuses a wrong content type with 415", async () => {
    const res = await call(COMMENTS, { method: "POST", headers: { "Content-Type": "text/plain", ...newReader() }, body: "hello" });
    await expectError(res, 415, "unsupported_media_type");
  });

  it("refuses malformed JSON and non-object JSON with 400", async () => {
    await expectError(await postJson(COMMENTS, '{"author_name": "x", '), 400, "invalid_json");
    await expectError(await postJson(COMMENTS, "[1,2]"), 400, "bad_request");
    await expectError(await postJson(COMMENTS, "null"), 400, "bad_request");
  });

  it("refuses a body that is not UTF-8 with 400", async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const res = await call(COMMENTS, { method: "POST", headers: { "Content-Type": "application/json", ...newReader() }, body: bytes });
    await expectError(res, 400, "invalid_encoding");
  });

  it("refuses missing, too long and invalid fields with 422 and per-field codes", async () => {
    let body = await expectError(await postJson(COMMENTS, {}), 422, "validation_failed");
    expect(body.error.fields).toEqual({ author_name: "required", content: "required" });
    body = await expectError(await postJson(COMMENTS, { author_name: "   ", content: "\n" }), 422, "validation_failed");
    expect(body.error.fields).toEqual({ author_name: "required", content: "required" });
    body = await expectError(await postJson(COMMENTS, { author_name: "x".repeat(81), content: "y".repeat(5001) }), 422, "validation_failed");
    expect(body.error.fields).toEqual({ author_name: "too_long", content: "too_long" });
    body = await expectError(
      await postJson(COMMENTS, uniqueComment({ author_email: "not-an-email", author_url: "javascript:alert(1)" })),
      422,
      "validation_failed",
    );
    expect(body.error.fields).toEqual({ author_email: "invalid_email", author_url: "invalid_url" });
    body = await expectError(await postJson(COMMENTS, uniqueComment({ author_name: 42, parent_id: "abc" })), 422, "validation_failed");
    expect(body.error.fields).toEqual({ author_name: "invalid", parent_id: "invalid" });
  });

  it("refuses an oversized body with 413", async () => {
    await expectError(await postJson(COMMENTS, { author_name: "x", content: "y".repeat(70 * 1024) }), 413, "payload_too_large");
  });

  it("answers 404 for an unknown post and 403 for a closed one, storing nothing", async () => {
    await expectError(await postJson("/api/posts/no-such-post/comments", uniqueComment()), 404, "post_not_found");
    const closed = {
      slug: "ferme",
      title: "Fermé",
      date: "2008-01-01T00:00:00.000Z",
      author: "A",
      lang: "fr",
      tags: [],
      summary: "",
      url: "/posts/ferme/",
      comments_open: false,
      comments_close_at: null,
    };
    await env.POSTS.put("post:ferme", JSON.stringify(closed));
    await expectError(await postJson("/api/posts/ferme/comments", uniqueComment()), 403, "comments_closed");
    const expired = { ...closed, slug: "expire", comments_open: true, comments_close_at: "2020-01-01T00:00:00.000Z" };
    await env.POSTS.put("post:expire", JSON.stringify(expired));
    await expectError(await postJson("/api/posts/expire/comments", uniqueComment()), 403, "comments_closed");
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM comments WHERE post_slug IN ('ferme', 'expire', 'no-such-post')").all<{ n: number }>();
    expect(results[0].n).toBe(0);
  });

  it("answers 409 to the same comment posted twice", async () => {
    const input = uniqueComment();
    expect((await postJson(COMMENTS, input)).status).toBe(202);
    await expectError(await postJson(COMMENTS, input), 409, "duplicate_comment");
  });

  it("rate limits one address with 429 and Retry-After", async () => {
    const reader = newReader();
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await postJson(COMMENTS, uniqueComment(), reader);
      statuses.push(res.status);
      if (res.status === 429) {
        limited = res;
        break;
      }
      await res.body?.cancel();
    }
    expect(statuses.slice(0, 5).every((s) => s === 202)).toBe(true);
    expect(limited).toBeDefined();
    expect(limited!.headers.get("Retry-After")).toBe("60");
    await expectError(limited!, 429, "rate_limited");
  });

  it("marks a honeypot catch as spam while answering like a held comment", async () => {
    const { res, body } = await create(uniqueComment({ website: "http://spam.example" }));
    expect(res.status).toBe(202);
    const row = await env.DB.prepare("SELECT status, held_for FROM comments WHERE id = ?").bind(body.comment.id).first<{ status: string; held_for: string }>();
    expect(row).toEqual({ status: "spam", held_for: "honeypot" });
  });

  it("holds comments with too many links or a held word, even from a trusted commenter", async () => {
    const trusted = await create(uniqueComment({ author_email: "trusted@example.org" }));
    await approve(trusted.body.comment.id);
    // Trusted: their approved comment is in their own cookie (the typed email alone is not enough).
    const cookie = {
      Cookie: trusted.res.headers
        .getSetCookie()
        .find((c) => c.startsWith("billet_own="))!
        .split(";")[0],
    };
    const links = await create(
      uniqueComment({ author_email: "trusted@example.org", content: `https://a.example https://b.example https://c.example ${crypto.randomUUID()}` }),
      cookie,
    );
    expect(links.res.status).toBe(202);
    const word = await create(uniqueComment({ author_email: "trusted@example.org", content: `Gagnez au CASINO ${crypto.randomUUID()}` }), cookie);
    expect(word.res.status).toBe(202);
    const ok = await create(uniqueComment({ author_email: "trusted@example.org" }), cookie);
    expect(ok.res.status).toBe(201);
  });
});

describe("replies", () => {
  it("nests replies and attaches too-deep replies to the deepest allowed ancestor", async () => {
    const root = await create(uniqueComment());
    await approve(root.body.comment.id);
    let parent = root.body.comment.id;
    const depths: number[] = [];
    const parents: number[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = await create(uniqueComment({ parent_id: parent }));
      expect(reply.res.status).toBe(202);
      await approve(reply.body.comment.id);
      depths.push(reply.body.comment.depth);
      parents.push(reply.body.comment.parent_id!);
      parent = reply.body.comment.id;
    }
    // MAX_DEPTH is 3: depth 1, 2, 3, then 3 again (under the depth-2 comment).
    expect(depths).toEqual([1, 2, 3, 3, 3]);
    expect(parents[3]).toBe(parents[2]);
  });

  it("refuses a reply to a missing, held or other post's comment with 422", async () => {
    let body = await expectError(await postJson(COMMENTS, uniqueComment({ parent_id: 99999999 })), 422, "validation_failed");
    expect(body.error.fields).toEqual({ parent_id: "not_found" });
    const held = await create(uniqueComment());
    body = await expectError(await postJson(COMMENTS, uniqueComment({ parent_id: held.body.comment.id })), 422, "validation_failed");
    expect(body.error.fields).toEqual({ parent_id: "not_found" });
  });
});

describe("the no-JS form", () => {
  it("answers 303 back to the comment, with the commenter's cookie", async () => {
    const res = await postForm(COMMENTS, { author_name: "Jeanne", content: `Sans JavaScript ${crypto.randomUUID()}`, parent_id: "", website: "" });
    expect(res.status).toBe(303);
    const location = res.headers.get("Location")!;
    expect(location).toMatch(new RegExp(`^/posts/${SLUG}/#comment-\\d+$`));
    const cookies = res.headers.getSetCookie();
    const cookie = cookies.find((c) => c.startsWith("billet_own="))!;
    // The ids, when the cookie ends (checked by the server too), and the signature.
    expect(cookie).toMatch(/^billet_own=\d+\.\d+\.[\w-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
    // The D1 session bookmark, so the commenter's next reads see their write (read replicas).
    expect(cookies.find((c) => c.startsWith("billet_d1="))).toMatch(/^billet_d1=[^;]+; Path=\/; Max-Age=300; HttpOnly; SameSite=Lax; Secure$/);
    const id = location.split("-").pop()!;

    // The commenter sees it, marked as waiting; nobody else does.
    const mine = await (await call(`/posts/${SLUG}/`, { headers: { Cookie: cookie.split(";")[0] } })).text();
    expect(mine).toContain(`id="comment-${id}" class="comment comment--pending"`);
    expect(mine).toContain("En attente de modération");
    const theirs = await (await call(`/posts/${SLUG}/`)).text();
    expect(theirs).not.toContain(`id="comment-${id}"`);
  });

  it("shows the page again with the text kept and the error next to the field", async () => {
    const content = `Mon texte <gardé> ${crypto.randomUUID()}`;
    const res = await postForm(COMMENTS, { author_name: "", content });
    expect(res.status).toBe(422);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain(content.replace("<", "&lt;").replace(">", "&gt;"));
    expect(html).toMatch(/id="billet-author_name"[^>]*aria-invalid="true" autofocus/);
    // This page is at the API's address: its links must still lead back to the post.
    expect(html).toContain(`<a class="comment-reply" href="/posts/${SLUG}/?reply_to=1#respond"`);
    expect(html).toContain("Ce champ est obligatoire.");
    expect(html).toContain('role="alert"');
  });

  it("answers a form for an unknown post with a 404 in the error shape", async () => {
    await expectError(await postForm("/api/posts/no-such-post/comments", { author_name: "a", content: "b" }), 404, "post_not_found");
  });
});

describe("PATCH and DELETE /api/comments/:id", () => {
  it("lets the author edit with the edit token within the window", async () => {
    const { body } = await create(uniqueComment());
    const res = await call(`/api/comments/${body.comment.id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-Edit-Token": body.edit_token },
      body: JSON.stringify({ content: "Corrigé **ici**" }),
    });
    expect(res.status).toBe(200);
    const edited = (await res.json()) as { comment: ApiComment };
    expect(edited.comment.html).toBe("<p>Corrigé <strong>ici</strong></p>");
    expect(edited.comment.edited_at).not.toBeNull();
  });

  it("refuses without a proof of authorship, and for an unknown comment", async () => {
    const { body } = await create(uniqueComment());
    const patch = (token: string) =>
      call(`/api/comments/${body.comment.id}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "X-Edit-Token": token },
        body: JSON.stringify({ content: "x" }),
      });
    await expectError(await patch("wrong-token"), 403, "forbidden");
    await expectError(await call(`/api/comments/${body.comment.id}`, { method: "DELETE" }), 403, "forbidden");
    await expectError(await call("/api/comments/99999999", { method: "DELETE", headers: { "X-Edit-Token": body.edit_token } }), 404, "comment_not_found");
  });

  it("refuses once the edit window has passed", async () => {
    const { body } = await create(uniqueComment());
    await env.DB.prepare("UPDATE comments SET created_at = created_at - 3600000 WHERE id = ?").bind(body.comment.id).run();
    const res = await call(`/api/comments/${body.comment.id}`, { method: "DELETE", headers: { "X-Edit-Token": body.edit_token } });
    await expectError(res, 403, "edit_window_passed");
  });

  it("deletes with the cookie, and the comment leaves the list", async () => {
    const res = await postJson(COMMENTS, uniqueComment({ author_email: "trusted@example.org" }));
    const body = (await res.json()) as { comment: ApiComment };
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("billet_own="))!
      .split(";")[0];
    await approve(body.comment.id);
    expect((await list("?limit=200")).comments.some((c) => c.id === body.comment.id)).toBe(true);
    const del = await call(`/api/comments/${body.comment.id}`, { method: "DELETE", headers: { Cookie: cookie } });
    expect(del.status).toBe(204);
    expect((await list("?limit=200")).comments.some((c) => c.id === body.comment.id)).toBe(false);
  });
});

describe("GET /api/comments/counts and /api/config", () => {
  it("counts approved comments per post, 0 for unknown ones", async () => {
    const res = await call(`/api/comments/counts?posts=${SLUG},inconnu`);
    expect(res.status).toBe(200);
    const counts = (await res.json()) as Record<string, number>;
    expect(counts[SLUG]).toBe((await list("?limit=1")).meta.total);
    expect(counts.inconnu).toBe(0);
    await expectError(await call("/api/comments/counts"), 400, "bad_request");
  });

  it("tells the widget the locale, limits and strings", async () => {
    const res = await call("/api/config");
    const config = (await res.json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      locale: "fr",
      edit_window_seconds: 900,
      max_depth: 3,
      max_comment_length: 5000,
      moderation: "first-comment",
      turnstile_site_key: null,
    });
  });
});

describe("admin", () => {
  it("refuses without a token or with a wrong one (401)", async () => {
    await expectError(await call("/api/admin/comments"), 401, "unauthorized");
    await expectError(await call("/api/admin/comments", { headers: { Authorization: "Bearer nope" } }), 401, "unauthorized");
    await expectError(await call("/api/admin/comments/1/approve", { method: "POST", headers: { Authorization: "Basic abc" } }), 401, "unauthorized");
  });

  it("lists the queue with private fields, and moderates one, many, or for good", async () => {
    const a = await create(uniqueComment({ author_email: "queue@example.org" }));
    const b = await create(uniqueComment());
    const c = await create(uniqueComment());
    const res = await call("/api/admin/comments?status=pending&limit=200", { headers: ADMIN });
    expect(res.status).toBe(200);
    const queue = (await res.json()) as { comments: { id: number; status: string; author: { email: string | null } }[] };
    const entry = queue.comments.find((x) => x.id === a.body.comment.id)!;
    expect(entry.status).toBe("pending");
    expect(entry.author.email).toBe("queue@example.org");

    const spam = await call(`/api/admin/comments/${a.body.comment.id}/spam`, { method: "POST", headers: ADMIN });
    expect(((await spam.json()) as { comment: { status: string } }).comment.status).toBe("spam");

    const bulk = await call("/api/admin/comments/bulk", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ ids: [b.body.comment.id, c.body.comment.id], action: "approve" }),
    });
    expect(bulk.status).toBe(200);
    expect(((await bulk.json()) as { updated: number[] }).updated.sort()).toEqual([b.body.comment.id, c.body.comment.id].sort());
    const ids = (await list("?limit=200")).comments.map((x) => x.id);
    expect(ids).toContain(b.body.comment.id);

    expect((await call(`/api/admin/comments/${b.body.comment.id}`, { method: "DELETE", headers: ADMIN })).status).toBe(204);
    const deleted = await env.DB.prepare("SELECT status FROM comments WHERE id = ?").bind(b.body.comment.id).first<{ status: string }>();
    expect(deleted?.status).toBe("deleted");
    expect((await call(`/api/admin/comments/${c.body.comment.id}?purge=1`, { method: "DELETE", headers: ADMIN })).status).toBe(204);
    expect(await env.DB.prepare("SELECT id FROM comments WHERE id = ?").bind(c.body.comment.id).first()).toBeNull();
  });

  it("counts comments per state, purges in bulk, and records the moderator's decision", async () => {
    const counts = async () => (await (await call("/api/admin/comments/counts", { headers: ADMIN })).json()) as Record<string, number>;
    const before = await counts();
    expect(Object.keys(before).sort()).toEqual(["approved", "deleted", "pending", "spam"]);
    const a = await create(uniqueComment());
    const b = await create(uniqueComment());
    expect((await counts()).pending).toBe(before.pending + 2);
    await call(`/api/admin/comments/${a.body.comment.id}/spam`, { method: "POST", headers: ADMIN });
    const held = await env.DB.prepare("SELECT held_for FROM comments WHERE id = ?").bind(a.body.comment.id).first<{ held_for: string }>();
    expect(held?.held_for).toBe("moderator");
    await approve(b.body.comment.id);
    const cleared = await env.DB.prepare("SELECT held_for FROM comments WHERE id = ?").bind(b.body.comment.id).first<{ held_for: string | null }>();
    expect(cleared?.held_for).toBeNull();
    const purge = await call("/api/admin/comments/bulk", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ ids: [a.body.comment.id, b.body.comment.id], action: "purge" }),
    });
    expect(purge.status).toBe(200);
    const { results } = await env.DB.prepare("SELECT id FROM comments WHERE id IN (?, ?)").bind(a.body.comment.id, b.body.comment.id).all();
    expect(results).toEqual([]);
    expect(await counts()).toEqual(before);
    await expectError(await call("/api/admin/comments/counts"), 401, "unauthorized");
  });

  it("answers 404, 422 and 400 for unknown comments and bad input", async () => {
    await expectError(await call("/api/admin/comments/99999999/approve", { method: "POST", headers: ADMIN }), 404, "comment_not_found");
    await expectError(await call("/api/admin/comments/1/frobnicate", { method: "POST", headers: ADMIN }), 404, "not_found");
    await expectError(await call("/api/admin/comments?status=weird", { headers: ADMIN }), 400, "bad_request");
    const bad = await call("/api/admin/comments/bulk", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ ids: [], action: "approve" }),
    });
    await expectError(bad, 422, "validation_failed");
  });
});

describe("duplicates", () => {
  it("stores one of several identical comments sent at the same instant, answering 409 to the others", async () => {
    const input = uniqueComment();
    const answers = await Promise.all(Array.from({ length: 6 }, () => postJson(COMMENTS, input)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409, 409, 409]);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM comments WHERE content = ?")
      .bind(input.content as string)
      .first<{ n: number }>();
    expect(row?.n).toBe(1);
  });

  it("lets a deleted comment be posted again, and refuses to bring the old one back over it (409)", async () => {
    const input = uniqueComment();
    const first = await create(input);
    expect((await call(`/api/admin/comments/${first.body.comment.id}`, { method: "DELETE", headers: ADMIN })).status).toBe(204);
    const again = await create(input);
    expect(again.res.status).toBe(202);
    await expectError(await call(`/api/admin/comments/${first.body.comment.id}/approve`, { method: "POST", headers: ADMIN }), 409, "duplicate_comment");
    const status = await env.DB.prepare("SELECT status FROM comments WHERE id = ?").bind(first.body.comment.id).first<{ status: string }>();
    expect(status?.status).toBe("deleted");
  });

  it("refuses an edit that makes a comment the same as another of the author's (409)", async () => {
    const a = await create(uniqueComment({ author_name: "Jumelle" }));
    const b = await create(uniqueComment({ author_name: "Jumelle" }));
    const res = await call(`/api/comments/${b.body.comment.id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-Edit-Token": b.body.edit_token },
      body: JSON.stringify({ content: a.body.comment.content }),
    });
    await expectError(res, 409, "duplicate_comment");
  });
});
