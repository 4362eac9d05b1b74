// Boundaries the first fixtures never reached, each found on a fresh clone or by reading, kept as
// regressions: 100 posts and more, replies whose comment was removed, one client on many IPv6
// addresses, a failing KV, missing secrets, old cookies, caches that outlive a change, retried
// posts, and edits.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clientNetwork, ownCookie, readOwnIds } from "../../workers/auth/tokens.ts";
import { countApproved, openDb, pageOfThreads } from "../../workers/db/comments.ts";
import { pageRenders } from "../../workers/pages/post-page.ts";
import { currentKey, forgetVersion, getCachedPage, MEMORY_MAX, memorySize, putCachedPage, stateKey, VERSION_TTL_MS } from "../../workers/pages/cache.ts";
import { firstOfMonth, formatDateTime } from "../../workers/render/html.ts";
import { getPost } from "../../workers/store/posts.ts";
import { ADMIN, approve, call, expectError, fetchWith, newReader, ORIGIN, postJson, SLUG, uniqueComment } from "./helpers.ts";
import { within } from "../time-limit.ts";

const COMMENTS = `/api/posts/${SLUG}/comments`;
const PAGE = `/posts/${SLUG}/`;

async function created(res: Response): Promise<{ id: number; token: string; status: number }> {
  const body = (await res.json()) as { comment: { id: number }; edit_token: string };
  return { id: body.comment.id, token: body.edit_token, status: res.status };
}

/** A comment, approved. */
async function published(extra: Record<string, unknown> = {}): Promise<number> {
  const { id } = await created(await postJson(COMMENTS, uniqueComment(extra)));
  await approve(id);
  return id;
}

async function statusOf(id: number): Promise<{ status: string; content: string; author_name: string; held_for: string | null } | null> {
  return env.DB.prepare("SELECT status, content, author_name, held_for FROM comments WHERE id = ?").bind(id).first();
}

async function version(): Promise<number> {
  return (await env.DB.prepare("SELECT version FROM post_versions WHERE post_slug = ?").bind(SLUG).first<{ version: number }>())?.version ?? 0;
}

/**
 * Every view a reader has of the post, for one comment: page (and how), JSON, count, feed. Through
 * this module's own Worker, so that `forgetVersion` after a write straight into D1 (as an import
 * from another machine makes) stands for the few seconds other isolates take to see it.
 */
async function views(id: number) {
  const html = await (await fetchWith({}, PAGE)).text();
  const li = new RegExp(`<li id="comment-${id}" class="([^"]*)"`).exec(html);
  const all: number[] = [];
  let total = 0;
  for (let cursor: string | null = ""; cursor !== null; ) {
    const body = (await (await fetchWith({}, `${COMMENTS}?limit=200${cursor ? `&cursor=${cursor}` : ""}`)).json()) as {
      comments: { id: number }[];
      meta: { total: number; next_cursor: string | null };
    };
    all.push(...body.comments.map((c) => c.id));
    total = body.meta.total;
    cursor = body.meta.next_cursor;
  }
  const counts = (await (await call(`/api/comments/counts?posts=${SLUG}`)).json()) as Record<string, number>;
  const feed = await (await call(`/posts/${SLUG}/comments.xml`)).text();
  return {
    page: li?.[1] ?? null,
    pageCount: Number(/data-count="(\d+)"/.exec(html)![1]),
    html,
    inJson: all.includes(id),
    jsonTotal: total,
    count: counts[SLUG],
    inFeed: feed.includes(`#comment-${id}</id>`),
  };
}

describe("a blog of 100 posts and more", () => {
  it("answers /api/posts and the counts for 160 posts (a list of 101 parameters used to fail with 503)", async () => {
    const index = (await env.POSTS.get("posts:index"))!;
    const seed = JSON.parse(index) as { slug: string }[];
    const extra = Array.from({ length: 160 }, (_, i) => ({ ...seed[0], slug: `billet-${String(i).padStart(3, "0")}`, url: `/posts/billet-${i}/` }));
    await env.POSTS.put("posts:index", JSON.stringify([...seed, ...extra]));
    // A few comments on posts far into the list.
    const insert = env.DB.prepare(
      "INSERT INTO comments (post_slug, author_name, content, html, status, created_at, updated_at) VALUES (?, 'A', ?, '<p>x</p>', ?, 1, 1)",
    );
    await env.DB.batch([
      insert.bind("billet-150", "un", "approved"),
      insert.bind("billet-150", "deux", "approved"),
      insert.bind("billet-159", "trois", "approved"),
      insert.bind("billet-159", "quatre", "spam"),
    ]);
    try {
      const res = await call("/api/posts");
      expect(res.status).toBe(200);
      const { posts } = (await res.json()) as { posts: { slug: string; comment_count: number }[] };
      expect(posts).toHaveLength(161);
      const count = Object.fromEntries(posts.map((p) => [p.slug, p.comment_count]));
      expect(count["billet-150"]).toBe(2);
      expect(count["billet-159"]).toBe(1);
      expect(count["billet-000"]).toBe(0);
      expect(count[SLUG]).toBeGreaterThanOrEqual(6);

      const hundred = extra.slice(60).map((p) => p.slug);
      const counts = await call(`/api/comments/counts?posts=${hundred.join(",")}`);
      expect(counts.status).toBe(200);
      const byPost = (await counts.json()) as Record<string, number>;
      expect(Object.keys(byPost)).toHaveLength(100);
      expect(byPost["billet-150"]).toBe(2);
      // One over the public limit is a clear 400, not a 503.
      await expectError(await call(`/api/comments/counts?posts=${[...hundred, "x"].join(",")}`), 400, "bad_request");
      // The query itself slices any list.
      const direct = await countApproved(openDb(env.DB), [...extra.map((p) => p.slug), ...Array.from({ length: 300 }, (_, i) => `absent-${i}`)]);
      expect(Object.keys(direct)).toHaveLength(460);
      expect(direct["billet-159"]).toBe(1);
      expect(direct["absent-299"]).toBe(0);
    } finally {
      await env.POSTS.put("posts:index", index);
      await env.DB.prepare("DELETE FROM comments WHERE post_slug LIKE 'billet-%'").run();
    }
  });
});

describe("a reply whose comment is no longer shown", () => {
  const removals: [string, (id: number) => Promise<Response>][] = [
    ["deleted", (id) => call(`/api/admin/comments/${id}`, { method: "DELETE", headers: ADMIN })],
    ["held", (id) => call(`/api/admin/comments/${id}/pending`, { method: "POST", headers: ADMIN })],
    ["marked spam", (id) => call(`/api/admin/comments/${id}/spam`, { method: "POST", headers: ADMIN })],
    ["purged", (id) => call(`/api/admin/comments/${id}?purge=1`, { method: "DELETE", headers: ADMIN })],
  ];
  for (const [how, remove] of removals) {
    it(`stays on the page under an empty place when its comment is ${how}, and every view agrees`, async () => {
      const root = await published({ author_name: "Racine" });
      const reply = await published({ parent_id: root, content: `Réponse gardée ${crypto.randomUUID()}` });
      const removedText = (await statusOf(root))!.content;
      expect((await remove(root)).status).toBeLessThan(300);

      const v = await views(reply);
      expect(v.page).toBe("comment");
      expect(v.inJson && v.inFeed).toBe(true);
      expect(v.pageCount).toBe(v.jsonTotal);
      expect(v.count).toBe(v.jsonTotal);
      // The empty place: numbered, no author, no text, no reply link; the reply numbered under it.
      const place = new RegExp(
        `<li id="comment-${root}" class="comment comment--removed"[^>]*><article aria-label="Ce commentaire a été retiré."><header class="comment-meta"><a class="comment-number" href="#comment-${root}" aria-label="[^"]*">(\\d+)</a></header><p class="comment-removed">Ce commentaire a été retiré.</p></article><ol class="comment-replies"><li id="comment-${reply}" class="comment"`,
      ).exec(v.html);
      expect(place).not.toBeNull();
      expect(v.html).toContain(`href="#comment-${reply}" aria-label="Lien vers la réaction ${place![1]}.1">${place![1]}.1</a>`);
      expect(v.html).not.toContain(removedText);
      expect(v.html).not.toContain("Racine");
      if (how === "purged") expect(await statusOf(root)).toMatchObject({ status: "purged", content: "", author_name: "" });
    });
  }

  it("an imported reply whose parent was imported deleted is shown under its empty place", async () => {
    const insert = env.DB.prepare(
      "INSERT INTO comments (post_slug, parent_id, root_id, depth, author_name, content, html, status, created_at, updated_at, import_key) VALUES (?, ?, ?, ?, 'Disqus', ?, ?, ?, 1, 1, ?)",
    );
    const key = crypto.randomUUID();
    const parent = (await insert.bind(SLUG, null, null, 0, "supprimé", "<p>supprimé</p>", "deleted", `disqus:${key}:1`).run()).meta.last_row_id;
    const child = (await insert.bind(SLUG, parent, parent, 1, "orpheline", "<p>orpheline</p>", "approved", `disqus:${key}:2`).run()).meta.last_row_id;
    forgetVersion(SLUG);
    const v = await views(child);
    expect(v.page).toBe("comment");
    expect(v.html).toContain(`<li id="comment-${parent}" class="comment comment--removed"`);
    expect(v.html).not.toContain("<p>supprimé</p>");
    expect(v.count).toBe(v.jsonTotal);
  });

  it("purging a comment without replies removes it; purging a branch removes all of it", async () => {
    const before = (await (await call("/api/admin/comments/counts", { headers: ADMIN })).json()) as Record<string, number>;
    const leaf = await published();
    await call(`/api/admin/comments/${leaf}`, { method: "DELETE", headers: ADMIN });
    expect((await call(`/api/admin/comments/${leaf}?purge=1`, { method: "DELETE", headers: ADMIN })).status).toBe(204);
    expect(await statusOf(leaf)).toBeNull();
    const root = await published();
    const mid = await published({ parent_id: root });
    const tip = await published({ parent_id: mid });
    const res = await call("/api/admin/comments/bulk", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ ids: [root, mid, tip], action: "purge" }),
    });
    expect(res.status).toBe(200);
    for (const id of [root, mid, tip]) expect(await statusOf(id)).toBeNull();
    // Purged comments count nowhere, and cannot be brought back.
    expect(await (await call("/api/admin/comments/counts", { headers: ADMIN })).json()).toEqual(before);
    const kept = await published();
    await published({ parent_id: kept });
    await call(`/api/admin/comments/${kept}?purge=1`, { method: "DELETE", headers: ADMIN });
    await expectError(await call(`/api/admin/comments/${kept}/approve`, { method: "POST", headers: ADMIN }), 404, "comment_not_found");
    expect((await statusOf(kept))!.status).toBe("purged");
  });
});

describe("rate limits by client network", () => {
  it("counts the addresses of one IPv6 /64 as one client", async () => {
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const statuses: number[] = [];
    for (let i = 1; i <= 8; i++) statuses.push((await postJson(COMMENTS, uniqueComment(), { "CF-Connecting-IP": `${prefix}::${i.toString(16)}` })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
    // Another /64 is another client.
    expect((await postJson(COMMENTS, uniqueComment(), { "CF-Connecting-IP": `${prefix.replace(/:[0-9a-f]+$/, ":ffff")}::1` })).status).toBe(202);
  });

  it("without an address, keys by the commenter instead of one bucket for all", async () => {
    const anonymous = (extra: Record<string, unknown>) =>
      call(COMMENTS, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(uniqueComment(extra)) });
    const who = { author_name: `Sans adresse ${crypto.randomUUID().slice(0, 8)}`, author_email: "x@example.org" };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await anonymous(who)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    expect((await anonymous({ author_name: "Quelqu’un d’autre" })).status).toBe(202);
  });

  it("reads an address as its network: IPv4 whole, IPv6 by /64, IPv4-mapped as IPv4, nonsense as none", () => {
    expect(clientNetwork("192.0.2.7")).toBe("192.0.2.7");
    expect(clientNetwork("2001:DB8:0:1:aa:bb:cc:dd")).toBe("2001:db8:0:1::/64");
    expect(clientNetwork("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientNetwork("::1")).toBe("0:0:0:0::/64");
    expect(clientNetwork("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(clientNetwork("0:0:0:0:0:ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(clientNetwork("64:ff9b::192.0.2.7")).toBe("64:ff9b:0:0::/64");
    for (const bad of ["", "x", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3", "12345::", "<script>", "::g"]) expect(clientNetwork(bad)).toBeNull();
  });

  it("gives every way of writing an IPv6 address, and every address of its /64, the same network", () => {
    const word = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), fc.array(word, { minLength: 4, maxLength: 4 }), fc.boolean(), (words, other, upper) => {
        const full = words.map((w) => w.toString(16).padStart(4, "0")).join(":");
        // The longest run of zero words written as "::", leading zeros dropped.
        const short = words.map((w) => w.toString(16));
        let best = [-1, 0];
        for (let i = 0; i < 8; i++) {
          let j = i;
          while (j < 8 && words[j] === 0) j++;
          if (j - i > best[1]) best = [i, j - i];
        }
        const compressed = best[1] >= 1 ? `${short.slice(0, best[0]).join(":")}::${short.slice(best[0] + best[1]).join(":")}` : short.join(":");
        const sameNetwork = [...words.slice(0, 4), ...other].map((w) => w.toString(16)).join(":");
        const expected = clientNetwork(full);
        const mapped = words.slice(0, 6).join(",") === "0,0,0,0,0,65535";
        if (!mapped)
          expect(expected).toBe(
            `${words
              .slice(0, 4)
              .map((w) => w.toString(16))
              .join(":")}::/64`,
          );
        expect(clientNetwork(upper ? compressed.toUpperCase() : compressed)).toBe(expected);
        if (!mapped) expect(clientNetwork(sameNetwork)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("secrets", () => {
  const send = (overrides: Partial<Env>) =>
    fetchWith(overrides, COMMENTS, { method: "POST", headers: { "Content-Type": "application/json", ...newReader() }, body: JSON.stringify(uniqueComment()) });

  it("refuses writes with 503 not_configured when SIGNING_SECRET is missing or too short, storing nothing; reads still work", async () => {
    const before = (await env.DB.prepare("SELECT count(*) AS n FROM comments").first<{ n: number }>())!.n;
    for (const secret of [undefined, "", "short"]) {
      const body = await expectError(await send({ SIGNING_SECRET: secret as string }), 503, "not_configured");
      expect(body.error.message).toContain("SIGNING_SECRET");
    }
    expect((await env.DB.prepare("SELECT count(*) AS n FROM comments").first<{ n: number }>())!.n).toBe(before);
    expect((await fetchWith({ SIGNING_SECRET: "" }, PAGE)).status).toBe(200);
    expect((await fetchWith({ SIGNING_SECRET: "" }, COMMENTS)).status).toBe(200);
    await expectError(
      await fetchWith({ SIGNING_SECRET: "" }, "/api/comments/1", { method: "DELETE", headers: { "X-Edit-Token": "x" } }),
      503,
      "not_configured",
    );
  });

  it("answers the admin API with 503 not_configured, not 401, when ADMIN_TOKEN is missing", async () => {
    await expectError(await fetchWith({ ADMIN_TOKEN: "" }, "/api/admin/comments", { headers: { Authorization: "Bearer " } }), 503, "not_configured");
    await expectError(await fetchWith({}, "/api/admin/comments", { headers: { Authorization: "Bearer wrong-token-wrong-token" } }), 401, "unauthorized");
  });
});

describe("the own-comments cookie", () => {
  const request = (cookie: string) => new Request(`${ORIGIN}${PAGE}`, { headers: { Cookie: cookie.split(";")[0] } });

  it("carries its end, checked by the server: an old, extended or unsigned cookie proves nothing", async () => {
    const now = Date.now();
    const fresh = await ownCookie(env, [4, 5], true, now);
    expect(await readOwnIds(request(fresh), env, now)).toEqual([4, 5]);
    // Thirty days later it has ended, whatever the browser keeps.
    expect(await readOwnIds(request(fresh), env, now + 31 * 24 * 3600 * 1000)).toEqual([]);
    const [ids, end, sig] = fresh.split(";")[0].slice("billet_own=".length).split(".");
    expect(await readOwnIds(request(`billet_own=${ids}.${Number(end) + 3600}.${sig}`), env, now)).toEqual([]);
    expect(await readOwnIds(request(`billet_own=${ids}-6.${end}.${sig}`), env, now)).toEqual([]);
    expect(await readOwnIds(request(`billet_own=${ids}.${sig}`), env, now)).toEqual([]);
    expect(await readOwnIds(request(fresh), { ...env, SIGNING_SECRET: "another-secret-another-secret" }, now)).toEqual([]);
  });

  it("an ended cookie no longer shows its pending comment", async () => {
    const { id } = await created(await postJson(COMMENTS, uniqueComment()));
    const old = await ownCookie(env, [id], true, Date.now() - 31 * 24 * 3600 * 1000);
    const html = await (await call(PAGE, { headers: { Cookie: old.split(";")[0] } })).text();
    expect(html).not.toContain(`id="comment-${id}"`);
  });
});

describe("caches keyed by the post's version", () => {
  it("the database replaces the version on every change readers can see, and only then", async () => {
    const v0 = await version();
    const { id, token } = await created(await postJson(COMMENTS, uniqueComment()));
    expect(await version()).toBe(v0); // a held comment changes nothing readers see
    await approve(id);
    const v1 = await version();
    expect(v1).not.toBe(v0);
    const edit = await call(`/api/comments/${id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-Edit-Token": token, ...newReader() },
      body: JSON.stringify({ content: `modifié ${crypto.randomUUID()}` }),
    });
    expect(edit.status).toBe(200);
    const v2 = await version();
    expect(v2).not.toBe(v1);
    await call(`/api/admin/comments/${id}/spam`, { method: "POST", headers: ADMIN });
    const v3 = await version();
    expect(v3).not.toBe(v2);
    await call(`/api/admin/comments/${id}`, { method: "DELETE", headers: ADMIN });
    expect(await version()).toBe(v3); // spam → deleted: nothing visible changed
  });

  it("a copy of any page made before a change is never served after it (another isolate's page 3, a late render)", async () => {
    const origin = ORIGIN;
    const v0 = (await currentKey(env, SLUG))!;
    const stale = { body: "<p>stale copy</p>", etag: '"stale"', status: 200 };
    // Another isolate cached page 3 and page 1; then a comment is approved behind this isolate's back.
    await putCachedPage(env, origin, SLUG, 3, v0, stale);
    await putCachedPage(env, origin, SLUG, 1, v0, stale);
    expect(await getCachedPage(env, origin, SLUG, 3, v0)).toEqual(stale);
    // Nor is a copy made under other settings ([vars] changed by a deploy: faces, reactions, page size).
    expect(await getCachedPage({ ...env, REACTIONS: "off" }, origin, SLUG, 3, v0)).toBeNull();
    expect(await getCachedPage({ ...env, AVATARS: "libravatar" }, origin, SLUG, 3, v0)).toBeNull();
    expect(await getCachedPage({ ...env, COMMENTS_PER_PAGE: "7" }, origin, SLUG, 3, v0)).toBeNull();
    const id = (await created(await postJson(COMMENTS, uniqueComment()))).id;
    await env.DB.prepare("UPDATE comments SET status = 'approved' WHERE id = ?").bind(id).run();
    // Once this isolate's knowledge of the version expires, no old copy is found.
    const v1 = (await currentKey(env, SLUG, Date.now() + VERSION_TTL_MS + 1))!;
    expect(v1).not.toBe(v0);
    expect(await getCachedPage(env, origin, SLUG, 3, v1)).toBeNull();
    expect(await getCachedPage(env, origin, SLUG, 1, v1)).toBeNull();
    const html = await (await fetchWith({}, PAGE)).text();
    expect(html).toContain(`id="comment-${id}" class="comment"`);
    expect(html).not.toContain("stale copy");
  });

  it("a render that read the comments before an approval files them under the version it read", async () => {
    const id = (await created(await postJson(COMMENTS, uniqueComment()))).id;
    await fetchWith({}, PAGE); // this isolate knows the version
    const before = await pageOfThreads(env.DB, SLUG, 1, 50);
    expect(before.rows.some((r) => r.id === id)).toBe(false);
    expect((await fetchWith({}, `/api/admin/comments/${id}/approve`, { method: "POST", headers: ADMIN })).status).toBe(200);
    // The late render stores its page now, under what it read.
    await putCachedPage(env, ORIGIN, SLUG, 1, stateKey(before.version, await getPost(env.POSTS, SLUG)), {
      body: "<p>late render</p>",
      etag: '"late"',
      status: 200,
    });
    const html = await (await fetchWith({}, PAGE)).text();
    expect(html).not.toContain("late render");
    expect(html).toContain(`id="comment-${id}" class="comment"`);
  });

  it("a post closed (or its closing date passed) after readers saw it shows closed, page and JSON (found by the model tests)", async () => {
    const record = (await env.POSTS.get(`post:${SLUG}`))!;
    const form = '<form class="comment-form"';
    expect(await (await fetchWith({}, PAGE)).text()).toContain(form);
    expect(((await (await fetchWith({}, COMMENTS)).json()) as { meta: { open: boolean } }).meta.open).toBe(true);
    try {
      await env.POSTS.put(`post:${SLUG}`, JSON.stringify({ ...JSON.parse(record), comments_open: false }));
      // Once this isolate's knowledge of the post's state is older than it trusts it.
      await currentKey(env, SLUG, Date.now() + VERSION_TTL_MS + 1);
      expect(await (await fetchWith({}, PAGE)).text()).not.toContain(form);
      expect(((await (await fetchWith({}, COMMENTS)).json()) as { meta: { open: boolean } }).meta.open).toBe(false);
      // A closing date that passes changes the key by itself.
      const soon = new Date(Date.now() + 1000).toISOString();
      const dated = { ...JSON.parse(record), comments_close_at: soon };
      expect(stateKey(1, dated)).not.toBe(stateKey(1, dated, Date.now() + 2000));
    } finally {
      await env.POSTS.put(`post:${SLUG}`, record);
      await currentKey(env, SLUG, Date.now() + VERSION_TTL_MS + 1);
    }
  });

  // Where the page came from (the Server-Timing entry besides d1's round trips).
  const pageTiming = (res: Response) => /page;desc="\w+"/.exec(res.headers.get("Server-Timing") ?? "")?.[0] ?? null;

  it("many readers arriving together after a change cause one render, not one each", async () => {
    await approve(await (async () => (await created(await postJson(COMMENTS, uniqueComment()))).id)());
    forgetVersion(SLUG);
    const before = pageRenders();
    const pages = await Promise.all(Array.from({ length: 20 }, () => fetchWith({}, PAGE)));
    expect(pages.every((res) => res.status === 200)).toBe(true);
    const bodies = new Set(await Promise.all(pages.map((res) => res.text())));
    expect(bodies.size).toBe(1);
    expect(pageRenders() - before).toBe(1);
    // Each answer says where it came from: one render, the others waited for it.
    const outcomes = pages.map(pageTiming);
    expect(outcomes.filter((o) => o === 'page;desc="render"')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'page;desc="shared"')).toHaveLength(19);
    // The next reader gets the cached copy.
    expect(pageTiming(await fetchWith({}, PAGE))).toBe('page;desc="hit"');
  });

  it("PAGE_CACHE=off (the benchmark's page right after a change): every reader reads and renders, and sees the same page", async () => {
    const off = await Promise.all([fetchWith({ PAGE_CACHE: "off" }, PAGE), fetchWith({ PAGE_CACHE: "off" }, PAGE)]);
    const again = await fetchWith({ PAGE_CACHE: "off" }, PAGE);
    expect([...off, again].map(pageTiming)).toEqual(Array(3).fill('page;desc="render"'));
    const normal = await (await fetchWith({}, PAGE)).text();
    expect(await again.text()).toBe(normal);
  });

  // 700 requests, one after another: about 3 s on an idle two-core machine, over 5 s on a busy one.
  it("keeps a bounded number of entries, whatever cursors readers send", { timeout: within(3_000) }, async () => {
    for (let i = 0; i < MEMORY_MAX + 200; i++) {
      const res = await fetchWith({}, `${COMMENTS}?cursor=${1_000_000 + i}`);
      expect(res.status).toBe(200);
    }
    expect(memorySize()).toBeLessThanOrEqual(MEMORY_MAX);
  });
});

describe("a retried post (Idempotency-Key)", () => {
  const send = (body: Record<string, unknown>, key: string, reader = newReader()) => postJson(COMMENTS, body, { ...reader, "Idempotency-Key": key });

  it("gets the first answer again: the same comment, the same edit token, stored once", async () => {
    const body = uniqueComment();
    const key = crypto.randomUUID();
    // The same client (a replay answers only it: trust.test.ts).
    const reader = newReader();
    const first = await created(await send(body, key, reader));
    const again = await created(await send(body, key, reader));
    expect(again).toEqual(first);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM comments WHERE content = ?").bind(body.content).first<{ n: number }>();
    expect(rows!.n).toBe(1);
    // Once approved, a late retry says so.
    await approve(first.id);
    expect((await send({ ...body }, key, reader)).status).toBe(201);
    // The token works for an edit.
    const edit = await call(`/api/comments/${first.id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-Edit-Token": again.token, ...newReader() },
      body: JSON.stringify({ content: "corrigé" }),
    });
    expect(edit.status).toBe(200);
  });

  it("sent three times at once, stores one comment", async () => {
    const body = uniqueComment();
    const key = crypto.randomUUID();
    const reader = newReader();
    const answers = await Promise.all([send(body, key, reader), send(body, key, reader), send(body, key, reader)]);
    const ids = await Promise.all(answers.map(async (r) => (await created(r)).id));
    expect(new Set(ids).size).toBe(1);
  });

  it("is not rate limited, and refuses a key reused for another text or badly formed", async () => {
    const reader = newReader();
    const body = uniqueComment();
    const key = crypto.randomUUID();
    expect((await send(body, key, reader)).status).toBe(202);
    for (let i = 0; i < 4; i++) expect((await postJson(COMMENTS, uniqueComment(), reader)).status).toBe(202);
    expect((await postJson(COMMENTS, uniqueComment(), reader)).status).toBe(429);
    expect((await send(body, key, reader)).status).toBe(202);
    const reused = await expectError(await send(uniqueComment(), key), 422, "validation_failed");
    expect(reused.error.fields).toEqual({ "Idempotency-Key": "reused" });
    await expectError(await send(uniqueComment(), "not a key!"), 400, "bad_request");
  });

  it("a text once caught as spam, or deleted, can be posted again; an approved or waiting one cannot", async () => {
    const body = uniqueComment();
    // Caught by the honeypot: answered like a held comment, stored as spam.
    const caught = await created(await postJson(COMMENTS, { ...body, website: "http://bot.example" }));
    expect((await statusOf(caught.id))!.status).toBe("spam");
    const human = await postJson(COMMENTS, body);
    expect(human.status).toBe(202);
    await expectError(await postJson(COMMENTS, body), 409, "duplicate_comment");
    // Bringing the spam one back while its twin waits is refused, and changes nothing.
    await expectError(await call(`/api/admin/comments/${caught.id}/approve`, { method: "POST", headers: ADMIN }), 409, "duplicate_comment");
    expect((await statusOf(caught.id))!.status).toBe("spam");
  });
});

describe("edits", () => {
  it("an edit that now needs a moderator is held in the same write, with its reason", async () => {
    const body = uniqueComment();
    const { id, token } = await created(await postJson(COMMENTS, body));
    await approve(id);
    const links = "https://a.example https://b.example https://c.example";
    const res = await call(`/api/comments/${id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-Edit-Token": token, ...newReader() },
      body: JSON.stringify({ content: links }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("pending");
    expect(await statusOf(id)).toMatchObject({ status: "pending", content: links, held_for: "too_many_links" });
    expect((await views(id)).page).toBeNull();
  });

  it("are rate limited like posts", async () => {
    const reader = newReader();
    const { id, token } = await created(await postJson(COMMENTS, uniqueComment(), reader));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(`/api/comments/${id}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "X-Edit-Token": token, ...reader },
        body: JSON.stringify({ content: `version ${i}` }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});

describe("dates as shown", () => {
  it("a date remembered by its minute reads as Intl formats it (the first of a month « 1er » in French), in every language and zone", () => {
    const zones = ["Europe/Paris", "UTC", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe"];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom("fr", "en"), fc.constantFrom(...zones), (ms, lang, timeZone) => {
        const fresh = firstOfMonth(new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short", timeZone }).format(new Date(ms)), lang);
        // Twice: the second answer comes from what the first remembered.
        expect(formatDateTime(ms, lang, timeZone)).toBe(fresh);
        expect(formatDateTime(ms - (ms % 60_000) + 59_999, lang, timeZone)).toBe(fresh);
      }),
      { numRuns: 300 },
    );
  });
});
