// Pinned threads, the order of a thread (oldest, newest, best first) across pages of the page and
// of the JSON, and readers' "useful" marks: one per reader, undone, limited, switched off, and
// never a new render of the page for everyone.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pageOfThreads } from "../../workers/db/comments.ts";
import { listInOrder, NETWORK_MARKS_PER_COMMENT, parseCursor, SORTS, type Sort } from "../../workers/db/order.ts";
import { openDb } from "../../workers/db/comments.ts";
import { eraseExpiredAddresses } from "../../workers/mail/daily.ts";
import { pageRenders } from "../../workers/pages/post-page.ts";
import { within } from "../time-limit.ts";
import { ADMIN, call, expectError, fetchWith, newReader, SLUG } from "./helpers.ts";

const PAGE = `/posts/${SLUG}/`;

/** Top-level threads of a page, in the order shown: id, number, pinned. */
function threadsOf(html: string): { id: number; number: number; pinned: boolean }[] {
  return [
    ...html.matchAll(
      /<li id="comment-(\d+)" class="comment( comment--pinned)?"[^>]*><article[^>]*><header class="comment-meta"><a class="comment-number" href="#comment-\d+" aria-label="[^"]*">(\d+)<\/a>/g,
    ),
  ].map((m) => ({ id: Number(m[1]), number: Number(m[3]), pinned: m[2] !== undefined }));
}

const insert = () =>
  env.DB.prepare(
    "INSERT INTO comments (post_slug, parent_id, root_id, depth, author_name, content, html, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
  );

/** `n` threads on a post straight into D1 (as an import would), each with `replies(i)` replies; their root ids. */
async function addThreads(slug: string, n: number, replies: (i: number) => number = () => 0, status = "approved"): Promise<number[]> {
  const now = Date.now();
  const roots: number[] = [];
  for (let i = 0; i < n; i += 40) {
    const batch = Array.from({ length: Math.min(40, n - i) }, (_, k) =>
      insert().bind(slug, null, null, 0, `Fil ${i + k}`, `Fil ${i + k} ${crypto.randomUUID()}`, `<p>Fil ${i + k}</p>`, status, now, now),
    );
    for (const r of await env.DB.batch<{ id: number }>(batch)) roots.push(r.results[0].id);
  }
  const answers = roots.flatMap((root, i) =>
    Array.from({ length: replies(i) }, (_, k) =>
      insert().bind(slug, root, root, 1, "R", `Réponse ${root}.${k} ${crypto.randomUUID()}`, `<p>Réponse ${root}.${k}</p>`, "approved", now, now),
    ),
  );
  for (let i = 0; i < answers.length; i += 50) await env.DB.batch(answers.slice(i, i + 50));
  return roots;
}

async function addMarks(commentId: number, n: number): Promise<void> {
  if (!n) return;
  const mark = env.DB.prepare("INSERT INTO reactions (comment_id, reader, network, created_at) VALUES (?, ?, ?, ?)");
  await env.DB.batch(Array.from({ length: n }, (_, k) => mark.bind(commentId, `r${commentId}-${k}-${crypto.randomUUID()}`, `n${k}`, Date.now())));
}

/** The approved comments of a post with their thread and marks, read plainly, for expected orders. */
async function approvedOf(slug: string) {
  const rows = (
    await env.DB.prepare(
      "SELECT id, coalesce(root_id, id) AS thread, (SELECT count(*) FROM reactions WHERE comment_id = comments.id) AS marks FROM comments WHERE post_slug = ? AND status = 'approved'",
    )
      .bind(slug)
      .all<{ id: number; thread: number; marks: number }>()
  ).results;
  const pinned = new Set(
    (await env.DB.prepare("SELECT thread_id FROM pins WHERE post_slug = ?").bind(slug).all<{ thread_id: number }>()).results.map((r) => r.thread_id),
  );
  return { rows, pinned };
}

/** The threads of a post in an order, as the issue says: pinned first; oldest, newest, or best (marks, then size, then age). */
function expectedThreads(rows: { id: number; thread: number; marks: number }[], pinned: Set<number>, sort: Sort): number[] {
  const threads = new Map<number, { marks: number; size: number }>();
  for (const r of rows) {
    const t = threads.get(r.thread) ?? { marks: 0, size: 0 };
    t.marks += r.marks;
    t.size += 1;
    threads.set(r.thread, t);
  }
  const key = (id: number) => threads.get(id)!;
  return [...threads.keys()].sort((a, b) => {
    const pin = Number(pinned.has(b)) - Number(pinned.has(a));
    if (pin) return pin;
    if (sort === "newest") return b - a;
    if (sort === "best") return key(b).marks - key(a).marks || key(b).size - key(a).size || a - b;
    return a - b;
  });
}

function readerCookie(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith("billet_reader="));
  if (!set) throw new Error("no reader cookie");
  return set.split(";")[0];
}

async function mark(id: number, headers: Record<string, string>, method = "POST") {
  const res = await call(`/api/comments/${id}/reaction`, { method, headers: { "Content-Type": "application/json", ...headers } });
  return res;
}

describe("pinned threads", () => {
  it("pins a thread to the top of the page and the JSON, keeps its number, logs it, and unpins it", async () => {
    expect((await call("/api/admin/comments/4/pin", { method: "POST" })).status).toBe(401);
    await expectError(await call("/api/admin/comments/999999/pin", { method: "POST", headers: ADMIN }), 404, "comment_not_found");
    const before = await call(PAGE);
    const etag = before.headers.get("ETag")!;
    expect(threadsOf(await before.text())[0].id).toBe(1);

    const res = await call("/api/admin/comments/4/pin", { method: "POST", headers: ADMIN });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ thread_id: 4, pinned: true });
    // The page changed: its copy for the old state is not served.
    const after = await call(PAGE, { headers: { "If-None-Match": etag } });
    expect(after.status).toBe(200);
    const html = await after.text();
    const shown = threadsOf(html);
    expect(shown[0]).toEqual({ id: 4, number: 4, pinned: true });
    expect(shown.slice(1).map((t) => t.id)).toEqual([1, 2, 3, 5, 6]);
    expect(shown.slice(1).map((t) => t.number)).toEqual([1, 2, 3, 5, 6]);
    expect(html).toContain('<strong class="comment-pinned">Épinglé</strong>');
    // In every order.
    for (const sort of ["newest", "best"]) expect(threadsOf(await (await call(`${PAGE}?sort=${sort}`)).text())[0]).toEqual({ id: 4, number: 4, pinned: true });
    const list = (await (await call(`/api/posts/${SLUG}/comments`)).json()) as { comments: { id: number; pinned: boolean }[] };
    expect(list.comments[0]).toMatchObject({ id: 4, pinned: true });
    expect(list.comments.filter((c) => c.pinned).map((c) => c.id)).toEqual([4]);
    // Pinning again changes nothing and logs nothing more.
    await call("/api/admin/comments/4/pin", { method: "POST", headers: ADMIN });
    const admin = (await (await call("/api/admin/comments?status=approved", { headers: ADMIN })).json()) as { comments: { id: number; pinned: boolean }[] };
    expect(admin.comments.find((c) => c.id === 4)?.pinned).toBe(true);
    expect(admin.comments.find((c) => c.id === 5)?.pinned).toBe(false);

    expect((await call("/api/admin/comments/4/unpin", { method: "POST", headers: ADMIN })).status).toBe(200);
    expect(threadsOf(await (await call(PAGE)).text()).map((t) => t.id)).toEqual([1, 2, 3, 4, 5, 6]);
    const audit = (await (await call("/api/admin/audit", { headers: ADMIN })).json()) as { entries: { action: string; comment_ids: number[] }[] };
    const log = audit.entries.filter((e) => e.action === "pin" || e.action === "unpin");
    expect(log.map((e) => e.action)).toEqual(["unpin", "pin"]);
    expect(log[1].comment_ids).toEqual([4]);
  });

  it("pins a reply's whole thread, and refuses a comment not published", async () => {
    const [root] = await addThreads(SLUG, 1, () => 2);
    const reply = (await env.DB.prepare("SELECT id FROM comments WHERE parent_id = ? ORDER BY id LIMIT 1").bind(root).first<{ id: number }>())!.id;
    expect(await (await call(`/api/admin/comments/${reply}/pin`, { method: "POST", headers: ADMIN })).json()).toEqual({ thread_id: root, pinned: true });
    const shown = threadsOf(await (await call(PAGE)).text());
    expect(shown[0]).toMatchObject({ id: root, pinned: true });
    await call(`/api/admin/comments/${root}/unpin`, { method: "POST", headers: ADMIN });
    const [held] = await addThreads(SLUG, 1, () => 0, "pending");
    await expectError(await call(`/api/admin/comments/${held}/pin`, { method: "POST", headers: ADMIN }), 404, "comment_not_found");
  });
});

describe("the order of a thread", () => {
  it("shows every thread once in each order across pages of more than 100 threads, a pinned one on page 1 only", { timeout: within(20_000) }, async () => {
    const roots = await addThreads(SLUG, 130, (i) => i % 4);
    for (const [i, root] of roots.entries()) if (i % 9 === 0) await addMarks(root, (i * 7) % 5);
    // Ties in marks and sizes, so best first falls back on replies, then age.
    await addMarks(roots[50], 3);
    await addMarks(roots[51], 3);
    const pin = roots[77];
    await call(`/api/admin/comments/${pin}/pin`, { method: "POST", headers: ADMIN });
    const { rows, pinned } = await approvedOf(SLUG);
    // The seed's numbering: threads counted oldest first, pinned or not.
    const numberOf = new Map(expectedThreads(rows, new Set(), "oldest").map((id, i) => [id, i + 1]));
    for (const sort of SORTS) {
      const expected = expectedThreads(rows, pinned, sort);
      const seen: { id: number; number: number; pinned: boolean }[] = [];
      const first = await (await call(`${PAGE}${sort === "oldest" ? "" : `?sort=${sort}`}`)).text();
      expect(first).toMatch(
        new RegExp(`<a href="/posts/${SLUG}/${sort === "oldest" ? "" : `\\?sort=${sort}`}#comments-title" data-sort="${sort}" aria-current="true">`),
      );
      const pages = Math.ceil(expected.length / 50);
      expect(pages).toBeGreaterThan(2);
      for (let page = 1; page <= pages; page++) {
        const query = [page > 1 ? `page=${page}` : "", sort === "oldest" ? "" : `sort=${sort}`].filter(Boolean).join("&");
        const html = await (await call(`${PAGE}${query ? `?${query}` : ""}`)).text();
        const shown = threadsOf(html);
        if (page === 1) expect(shown[0]).toMatchObject({ id: pin, pinned: true });
        else expect(shown.some((t) => t.pinned)).toBe(false);
        if (page < pages)
          expect(html).toContain(`rel="next" href="/posts/${SLUG}/?page=${page + 1}${sort === "oldest" ? "" : `&amp;sort=${sort}`}#comments-title"`);
        seen.push(...shown);
      }
      expect(seen.map((t) => t.id)).toEqual(expected);
      // Each thread keeps the number the seed's order gives it.
      for (const t of seen) expect(t.number).toBe(numberOf.get(t.id));
    }
    await call(`/api/admin/comments/${pin}/unpin`, { method: "POST", headers: ADMIN });
  });

  it("takes the same orders in the JSON, a cursor at a time, and keeps the old cursors and values", { timeout: within(10_000) }, async () => {
    const { rows, pinned } = await approvedOf(SLUG);
    expect(rows.length).toBeGreaterThan(200);
    for (const sort of SORTS) {
      const ids: number[] = [];
      let cursor: string | null = null;
      do {
        const res = await call(`/api/posts/${SLUG}/comments?limit=37&sort=${sort}${cursor ? `&cursor=${cursor}` : ""}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { comments: { id: number; reactions: number }[]; meta: { next_cursor: string | null; total: number } };
        expect(body.meta.total).toBe(rows.length);
        ids.push(...body.comments.map((c) => c.id));
        cursor = body.meta.next_cursor;
      } while (cursor);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
      const marks = new Map(rows.map((r) => [r.id, r.marks]));
      const byKey = [...ids].sort((a, b) => (sort === "newest" ? b - a : sort === "best" ? marks.get(b)! - marks.get(a)! || a - b : a - b));
      if (!pinned.size) expect(ids).toEqual(byKey);
    }
    // A plain id is still a cursor of the oldest and newest orders; a best-first one names the marks.
    expect((await call(`/api/posts/${SLUG}/comments?cursor=3`)).status).toBe(200);
    await expectError(await call(`/api/posts/${SLUG}/comments?sort=best&cursor=3`), 400, "bad_request");
    await expectError(await call(`/api/posts/${SLUG}/comments?sort=top`), 400, "bad_request");
    expect((await call(`${PAGE}?sort=top`)).status).toBe(404);
  });

  it("pages in any order hold every thread once (property, on the database's own reads)", { timeout: within(30_000) }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ replies: fc.nat(3), marks: fc.nat(4), pinned: fc.boolean(), held: fc.boolean() }), { minLength: 0, maxLength: 25 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom(...SORTS),
        async (threads, perPage, sort) => {
          const slug = `propriete-${++run}-${crypto.randomUUID().slice(0, 8)}`;
          const roots = await addThreads(slug, threads.length, (i) => threads[i].replies);
          const pins = threads.filter((t) => t.pinned).length <= perPage;
          const writes = threads.flatMap((t, i) => [
            ...Array.from({ length: t.marks }, (_, k) =>
              env.DB.prepare("INSERT INTO reactions (comment_id, reader, network, created_at) VALUES (?, ?, 'n', 0)").bind(roots[i], `r${k}`),
            ),
            // A held top-level comment leaves its thread shown when it has replies (an empty place above them).
            ...(t.held ? [env.DB.prepare("UPDATE comments SET status = 'pending' WHERE id = ?").bind(roots[i])] : []),
            ...(t.pinned && pins ? [env.DB.prepare("INSERT INTO pins (thread_id, post_slug, pinned_at) VALUES (?, ?, 0)").bind(roots[i], slug)] : []),
          ]);
          if (writes.length) await env.DB.batch(writes);
          const { rows, pinned } = await approvedOf(slug);
          const expected = expectedThreads(rows, pinned, sort);
          const seen: number[] = [];
          const numbers: (readonly [number, number])[] = [];
          const first = await pageOfThreads(env.DB, slug, 1, perPage, [], sort);
          for (let page = 1; page <= first.pageCount; page++) {
            const read = page === 1 ? first : await pageOfThreads(env.DB, slug, page, perPage, [], sort);
            if (page > 1) expect(read.threads.some((t) => t.pinned)).toBe(false);
            seen.push(...read.threads.map((t) => t.id));
            numbers.push(...read.threads.map((t) => [t.id, t.number] as const));
          }
          expect(seen).toEqual(expected);
          // Every thread keeps the number the oldest-first order gives it, in every order, on every page.
          const oldest = [...expected].sort((a, b) => a - b);
          expect(numbers).toEqual(seen.map((id) => [id, oldest.indexOf(id) + 1]));
          // The JSON, a cursor at a time, with new comments arriving between its pages: each comment
          // there at the start comes exactly once.
          const db = openDb(env.DB);
          const listed: number[] = [];
          let cursor: string | null = null;
          let arrivals = 3;
          do {
            const page = await listInOrder(db, slug, { limit: perPage, cursor: cursor === null ? undefined : parseCursor(cursor, sort)!, sort });
            listed.push(...page.rows.map((r) => r.id));
            cursor = page.nextCursor;
            if (roots.length && arrivals-- > 0) await addThreads(slug, 1);
          } while (cursor);
          expect(new Set(listed).size).toBe(listed.length);
          expect(rows.map((r) => r.id).filter((id) => !listed.includes(id))).toEqual([]);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe("useful marks", () => {
  it("counts one mark per reader, from two readers, and undoes one", async () => {
    const a = newReader();
    const first = await mark(2, a);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ comment_id: 2, reactions: 1, mine: true });
    const cookieA = readerCookie(first);
    // The same reader again (their cookie, even from another network): still one.
    expect(await (await mark(2, { ...newReader(), Cookie: cookieA })).json()).toEqual({ comment_id: 2, reactions: 1, mine: true });
    const b = await mark(2, newReader());
    expect(await b.json()).toEqual({ comment_id: 2, reactions: 2, mine: true });
    const list = (await (await call(`/api/posts/${SLUG}/comments?limit=200`)).json()) as { comments: { id: number; reactions: number }[] };
    expect(list.comments.find((c) => c.id === 2)?.reactions).toBe(2);
    const undo = await mark(2, { ...a, Cookie: cookieA }, "DELETE");
    expect(await undo.json()).toEqual({ comment_id: 2, reactions: 1, mine: false });
    // Undoing twice changes nothing.
    expect(await (await mark(2, { ...a, Cookie: cookieA }, "DELETE")).json()).toEqual({ comment_id: 2, reactions: 1, mine: false });
    await expectError(await mark(999999, newReader()), 404, "comment_not_found");
    const [held] = await addThreads(SLUG, 1, () => 0, "pending");
    await expectError(await mark(held, newReader()), 404, "comment_not_found");
  });

  it("works without JavaScript: a form that marks, then undoes, and goes back to the comment", async () => {
    const reader = newReader();
    const form = (cookie?: string) =>
      call("/api/comments/3/reaction", {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...reader, ...(cookie ? { Cookie: cookie } : {}) },
        body: "sort=best",
      });
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM reactions WHERE comment_id = 3").first<{ n: number }>())!.n;
    const before = await count();
    const res = await form();
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/posts/${SLUG}/?sort=best#comment-3`);
    expect(await count()).toBe(before + 1);
    const again = await form(readerCookie(res));
    expect(again.status).toBe(303);
    expect(await count()).toBe(before);
    // From a later page, back to that page (the comment is there); a page that is no number is left out.
    for (const [body, query] of [
      ["sort=newest&page=2", "?page=2&sort=newest"],
      ["page=3", "?page=3"],
      ["sort=best&page=x2", "?sort=best"],
    ]) {
      const from = await call("/api/comments/3/reaction", {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...newReader() },
        body,
      });
      expect(from.headers.get("Location")).toBe(`/posts/${SLUG}/${query}#comment-3`);
    }
    const html = await (await call(PAGE)).text();
    expect(html).toContain('<form class="comment-useful" method="post" action="/api/comments/3/reaction">');
  });

  it("does not render the page again for a mark: the page keeps its version and its counts", async () => {
    const first = await call(PAGE);
    const etag = first.headers.get("ETag")!;
    const body = await first.text();
    const renders = pageRenders();
    for (let i = 0; i < 3; i++) expect((await mark(6, newReader())).status).toBe(200);
    const again = await call(PAGE, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(await (await call(PAGE)).text()).toBe(body);
    expect(pageRenders()).toBe(renders);
  });

  it("limits a burst from one network, and the marks one network gives one comment", async () => {
    const reader = newReader();
    const first = await mark(1, reader);
    expect(first.status).toBe(200);
    const cookie = readerCookie(first);
    // The same reader marking again and again (each time still one mark): the 21st in a minute is refused.
    for (let i = 1; i < 20; i++) expect((await mark(1, { ...reader, Cookie: cookie })).status).toBe(200);
    const refused = await mark(1, { ...reader, Cookie: cookie });
    const body = await expectError(refused, 429, "rate_limited");
    expect(body.error.message).toBeTruthy();
    expect(refused.headers.get("Retry-After")).toBe("60");
    // New cookies from one network (each request without one is a new reader) count up to the cap.
    const office = newReader();
    const counts: number[] = [];
    for (let i = 0; i < NETWORK_MARKS_PER_COMMENT + 2; i++) counts.push((await mark(5, office)).status);
    expect(counts).toEqual([...Array(NETWORK_MARKS_PER_COMMENT).fill(200), 429, 429]);
  });

  it("forgets the network of a mark after ADDRESS_RETENTION_DAYS, as for comments", async () => {
    await env.DB.prepare("INSERT INTO reactions (comment_id, reader, network, created_at) VALUES (2, 'ancien', 'reseau', 0)").run();
    await eraseExpiredAddresses(env);
    const old = await env.DB.prepare("SELECT network FROM reactions WHERE reader = 'ancien'").first<{ network: string | null }>();
    expect(old).toEqual({ network: null });
    const recent = await env.DB.prepare("SELECT count(*) AS n FROM reactions WHERE network IS NOT NULL").first<{ n: number }>();
    expect(recent!.n).toBeGreaterThan(0);
  });

  it("is switched off by REACTIONS = off: no button, and the endpoint refuses", async () => {
    const res = await fetchWith({ REACTIONS: "off" }, "/api/comments/2/reaction", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...newReader() },
    });
    await expectError(res, 403, "forbidden");
    const html = await (await fetchWith({ REACTIONS: "off" }, `${PAGE}?reply_to=1`)).text();
    expect(html).toContain("Vos réactions");
    expect(html).not.toContain("comment-useful");
  });
});
