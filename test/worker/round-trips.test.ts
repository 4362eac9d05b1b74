// Every answer says in Server-Timing how many sequential round trips to D1 it waited for; the
// counts of each request kind are pinned here, so that a change which adds one is seen (README,
// "Far from the database"). A reader far from the database's primary waits for each of them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signLink } from "../../workers/auth/tokens.ts";
import { getConfig } from "../../workers/config.ts";
import { forgetPost } from "../../workers/pages/cache.ts";
import { meteredEnv, RoundTrips } from "../../workers/db/round-trips.ts";
import { roundTripsOf } from "../../workers/http/server-timing.ts";
import { ADMIN, approve, call, postJson, SLUG, uniqueComment } from "./helpers.ts";

const trips = (res: Response) => roundTripsOf(res.headers.get("Server-Timing"));

async function created(extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment(extra), headers);
  const body = (await res.json()) as { comment: { id: number }; edit_token: string };
  return { res, id: body.comment.id, token: body.edit_token };
}

describe("Server-Timing: round trips to D1", () => {
  it("is a conforming Server-Timing entry on every answer, errors and static ones too", async () => {
    for (const [path, init] of [
      ["/api/config", {}],
      ["/api/nowhere", {}],
      [`/api/posts/${SLUG}/comments`, { method: "PUT" }],
      ["/posts/no-such-post/", {}],
    ] as const) {
      const res = await call(path, init);
      await res.body?.cancel();
      const header = res.headers.get("Server-Timing") ?? "";
      expect(header).toMatch(/(^|, )d1;desc="\d+ round trips?";dur=\d+(\.\d)?($|,)/);
    }
  });

  it("a request's metered env has the isolate's settings, not a copy built for it", () => {
    const metered = meteredEnv(env, new RoundTrips());
    expect(metered).not.toBe(env);
    expect(getConfig(metered)).toBe(getConfig(env));
  });

  it("counts overlapping calls as one step, and each sequential one", async () => {
    const meter = new RoundTrips();
    const db = meteredEnv(env, meter).DB;
    const one = db.prepare("select 1 as n");
    await Promise.all([one.first(), db.batch([one, one]), db.prepare("select ? as n").bind(2).all()]);
    expect(meter.steps).toBe(1);
    await one.first();
    await db.withSession("first-primary").prepare("select 1").run();
    expect(meter.steps).toBe(3);
    expect(meter.serverTiming()).toMatch(/^d1;desc="3 round trips";dur=\d+\.\d$/);
    // A batch of counted statements runs the real ones.
    const rows = await db.batch([db.prepare("select ? as n").bind(7)]);
    expect(rows[0].results).toEqual([{ n: 7 }]);
  });

  it("creation: two (one batch reads every check, one stores), whatever the comment", async () => {
    // A thread three replies deep (MAX_DEPTH), and a website host blocked.
    let deepest = 1;
    for (let level = 0; level < 3; level++) {
      deepest = (await created({ parent_id: deepest })).id;
      await approve(deepest);
    }
    const spammer = await created({ author_url: "https://spam.example/" });
    const block = await call("/api/admin/blocks", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "host", comment_id: spammer.id }),
    });
    expect(block.status).toBe(201);
    const key = crypto.randomUUID();
    const first = await created({ author_email: "loin@example.org", notify_replies: true }, { "Idempotency-Key": key });
    const counts = {
      plain: trips((await created()).res),
      reply: trips((await created({ parent_id: 1 })).res),
      // A reply under a thread deeper than MAX_DEPTH: its ancestors come in the same read.
      deepReply: trips((await created({ parent_id: deepest })).res),
      withKeyEmailAndFollowing: trips(first.res),
      blocked: trips((await created({ author_url: "https://spam.example/" })).res),
      // A retry of a stored post: the read finds it, nothing is written.
      retry: trips(await postJson(`/api/posts/${SLUG}/comments`, { author_name: "x", content: "y" }, { "Idempotency-Key": key })),
      form: trips(
        await call(`/api/posts/${SLUG}/comments`, {
          method: "POST",
          redirect: "manual",
          headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "2001:db8:ffff::1" },
          body: new URLSearchParams({ author_name: "Sans JS", content: `Formulaire ${crypto.randomUUID()}` }).toString(),
        }),
      ),
    };
    expect(counts).toEqual({ plain: 2, reply: 2, deepReply: 2, withKeyEmailAndFollowing: 2, blocked: 2, retry: 1, form: 2 });
  });

  it("each other request kind: as pinned here", async () => {
    const mine = await created();
    const out: Record<string, number | null> = {};
    forgetPost(SLUG);
    out.pageAfterChange = trips(await call(`/posts/${SLUG}/`));
    out.pageCached = trips(await call(`/posts/${SLUG}/`));
    await created();
    out.jsonAfterChange = trips(await call(`/api/posts/${SLUG}/comments`));
    out.jsonCached = trips(await call(`/api/posts/${SLUG}/comments`));
    out.jsonOtherSort = trips(await call(`/api/posts/${SLUG}/comments?sort=newest`));
    out.counts = trips(await call(`/api/comments/counts?posts=${SLUG},autre`));
    out.edit = trips(
      await call(`/api/comments/${mine.id}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "X-Edit-Token": mine.token },
        body: JSON.stringify({ content: `Corrigé ${crypto.randomUUID()}` }),
      }),
    );
    const gone = await created();
    out.delete = trips(await call(`/api/comments/${gone.id}`, { method: "DELETE", headers: { "X-Edit-Token": gone.token } }));
    const held = await created({ content: `casino ${crypto.randomUUID()}` });
    out.adminDecision = trips(await call(`/api/admin/comments/${held.id}/approve`, { method: "POST", headers: ADMIN }));
    out.adminBulk = trips(
      await call("/api/admin/comments/bulk", {
        method: "POST",
        headers: { ...ADMIN, "Content-Type": "application/json" },
        body: JSON.stringify({ ids: [held.id, mine.id], action: "pending" }),
      }),
    );
    out.adminList = trips(await call("/api/admin/comments?status=pending", { headers: ADMIN }));
    const other = await created({ content: `viagra ${crypto.randomUUID()}` });
    const token = await signLink(env, "moderate", { c: other.id, a: "approve", n: crypto.randomUUID() }, 60_000);
    out.linkPage = trips(await call(`/moderate/${token}`));
    out.linkPost = trips(await call(`/moderate/${token}`, { method: "POST" }));
    out.search = trips(await call("/search?q=r%C3%A9seaux"));
    out.feed = trips(await call(`/posts/${SLUG}/comments.xml`));
    out.siteFeed = trips(await call("/comments.xml"));
    out.config = trips(await call("/api/config"));
    // The reader who just posted: their page and JSON read from their bookmark (read-your-writes).
    const own = await created();
    const cookie = own.res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    out.ownPage = trips(await call(`/posts/${SLUG}/`, { headers: { Cookie: cookie } }));
    out.ownJson = trips(await call(`/api/posts/${SLUG}/comments`, { headers: { Cookie: cookie } }));
    expect(out).toEqual({
      pageAfterChange: 1,
      pageCached: 0,
      jsonAfterChange: 1,
      jsonCached: 0,
      jsonOtherSort: 1,
      counts: 1,
      edit: 2,
      delete: 2,
      adminDecision: 2,
      adminBulk: 2,
      adminList: 1,
      linkPage: 1,
      linkPost: 2,
      search: 1,
      feed: 2,
      siteFeed: 2,
      config: 0,
      ownPage: 1,
      ownJson: 1,
    });
  });

  it("D1_DELAY_MS delays every round trip, and nothing when unset", async () => {
    const near = new RoundTrips();
    expect("D1_DELAY_MS" in env).toBe(false);
    const far = new RoundTrips();
    const farDb = meteredEnv({ ...env, D1_DELAY_MS: "40" }, far).DB;
    await farDb.prepare("select 1").first();
    await farDb.batch([farDb.prepare("select 1"), farDb.prepare("select 2")]);
    // Two sequential round trips, each at least the delay (a slow machine only adds to it).
    expect(far.steps).toBe(2);
    expect(far.busyMs).toBeGreaterThanOrEqual(80);
    await meteredEnv(env, near).DB.prepare("select 1").first();
    expect(near.steps).toBe(1);
  });
});
