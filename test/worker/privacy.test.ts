// Nothing left behind: emails compared normalised, a commenter's export whole and their erasure
// complete (every table, log line and queue message looked through); the desk's log records
// exactly what changed; unconfirmed subscriptions asked again then forgotten; the daily job's steps
// independent; the spam filter's memory pruned.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { features } from "../../workers/spam/classifier.ts";
import { pruneSpamFeatures, runDaily, tendSubscriptions } from "../../workers/mail/daily.ts";
import { emailOrNull } from "../../scripts/import/formats.ts";
import type { NotifyMessage } from "../../workers/mail/notify.ts";
import { ADMIN, call, newReader, SLUG, uniqueComment } from "./helpers.ts";
import { mailEnv } from "./mail.ts";

const DAY = 86_400_000;
const admin = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { ...ADMIN, "Content-Type": "application/json", ...init.headers } });

afterEach(() => {
  vi.restoreAllMocks();
});

interface AuditEntry {
  actor: string;
  action: string;
  comment_ids: number[];
  detail: string | null;
}
const lastEntries = async (n: number) => ((await (await admin(`/api/admin/audit?limit=${n}`)).json()) as { entries: AuditEntry[] }).entries;

/** Every row of every table of the database (read from sqlite_master, so tables added later count), as lower-case text. */
async function everyTable(): Promise<Map<string, string>> {
  const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{
    name: string;
  }>();
  const decoder = new TextDecoder();
  const out = new Map<string, string>();
  for (const { name } of results) {
    const rows = (await env.DB.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all()).results;
    const text = JSON.stringify(rows, (_k, v) =>
      v instanceof ArrayBuffer
        ? decoder.decode(v)
        : Array.isArray(v) && v.every((x) => typeof x === "number") && v.length > 32
          ? decoder.decode(new Uint8Array(v))
          : v,
    );
    out.set(name, text.toLowerCase());
  }
  return out;
}

/** Applies the email normalisation migration again (to rows written as an old import left them). */
async function normaliseMigration(): Promise<void> {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.includes("normalise-emails"))!;
  for (const query of migration.queries) await env.DB.prepare(query).run();
}

describe("a commenter's data, found whatever the case of their email", () => {
  it("normalises emails already stored (the migration) and in imports; export and erase find them", async () => {
    const now = Date.now();
    // As an import used to store them: with capitals.
    const { meta } = await env.DB.prepare(
      "INSERT INTO comments (post_slug, author_name, author_email, content, html, status, created_at, updated_at) VALUES (?, 'Jean', ' Jean.Dupont@Example.org', 'importé', '<p>importé</p>', 'approved', ?, ?)",
    )
      .bind(SLUG, now, now)
      .run();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO blocks (kind, value, created_at) VALUES ('email', 'Jean.Dupont@Example.org', ?)").bind(now),
      env.DB.prepare("INSERT INTO blocks (kind, value, created_at) VALUES ('email', 'JEAN.DUPONT@example.org', ?)").bind(now),
      env.DB.prepare("INSERT INTO subscribers (email, created_at) VALUES ('Jean.Dupont@EXAMPLE.org', ?)").bind(now),
      env.DB.prepare("INSERT INTO subscriptions (comment_id, email, created_at) VALUES (?, 'Jean.Dupont@EXAMPLE.org', ?)").bind(meta.last_row_id, now),
    ]);
    await normaliseMigration();
    const exported = (await (await admin(`/api/admin/commenters?email=${encodeURIComponent("Jean.Dupont@Example.ORG")}`)).json()) as {
      comments: { id: number; author: { email: string } }[];
      blocks: { value: string }[];
      subscriptions: { subscribed: boolean; following: number[] };
    };
    expect(exported.comments.map((c) => [c.id, c.author.email])).toEqual([[meta.last_row_id, "jean.dupont@example.org"]]);
    // Two spellings of one block became one.
    expect(exported.blocks.map((b) => b.value)).toEqual(["jean.dupont@example.org"]);
    expect(exported.subscriptions).toMatchObject({ subscribed: true, following: [meta.last_row_id] });
    expect(await (await admin("/api/admin/commenters?email=jean.dupont@example.org", { method: "DELETE" })).json()).toEqual({
      erased: { comments: 1, blocks: 1 },
    });
    expect([...(await everyTable()).values()].filter((t) => t.includes("jean.dupont"))).toEqual([]);
    // Imports store them normalised from now on.
    expect(emailOrNull("  Jean.Dupont@Example.ORG ")).toBe("jean.dupont@example.org");
  });
});

describe("erasing a commenter leaves nothing of them", () => {
  it("in no table, log line or queue message: comments, blocks by email, network and website, subscription, the filter's counts", async () => {
    const logged: string[] = [];
    for (const level of ["log", "error", "warn", "info", "debug"] as const)
      vi.spyOn(console, level).mockImplementation(
        (...args: unknown[]) => void logged.push(args.map((a) => (a instanceof Error ? a.message : JSON.stringify(a))).join(" ")),
      );
    // A full-text index kept by triggers, as search adds one: its shadow tables are looked through too.
    for (const statement of [
      "CREATE VIRTUAL TABLE IF NOT EXISTS test_search USING fts5(author_name, author_url, content, content='comments', content_rowid='id')",
      "CREATE TRIGGER IF NOT EXISTS test_search_ai AFTER INSERT ON comments BEGIN INSERT INTO test_search(rowid, author_name, author_url, content) VALUES (new.id, new.author_name, new.author_url, new.content); END",
      "CREATE TRIGGER IF NOT EXISTS test_search_ad AFTER DELETE ON comments BEGIN INSERT INTO test_search(test_search, rowid, author_name, author_url, content) VALUES ('delete', old.id, old.author_name, old.author_url, old.content); END",
      "CREATE TRIGGER IF NOT EXISTS test_search_au AFTER UPDATE ON comments BEGIN INSERT INTO test_search(test_search, rowid, author_name, author_url, content) VALUES ('delete', old.id, old.author_name, old.author_url, old.content); INSERT INTO test_search(rowid, author_name, author_url, content) VALUES (new.id, new.author_name, new.author_url, new.content); END",
    ])
      await env.DB.prepare(statement).run();
    const m = mailEnv();
    const email = "Zephyrine.Quobly@Quobly-Mail.example";
    const name = "Zéphyrine Quobly";
    const website = "https://www.quobly-site.example/carnet";
    const reader = { "CF-Connecting-IP": "2001:db8:e4a5:1::5" };
    const post = async (body: Record<string, unknown>, headers: Record<string, string> = reader) => {
      const res = await m.request(`/api/posts/${SLUG}/comments`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      expect([201, 202]).toContain(res.status);
      return ((await res.json()) as { comment: { id: number } }).comment.id;
    };
    // The filter has learned enough of others for its counts to be shared rows, not only theirs.
    for (let i = 0; i < 3; i++) {
      const other = await post(uniqueComment({ author_name: `Autre ${i}`, author_email: `autre${i}@example.net` }), newReader());
      await admin(`/api/admin/comments/${other}/approve`, { method: "POST" });
    }
    const ids = [
      await post({
        author_name: name,
        author_email: email,
        author_url: website,
        content: `Premier mot sur ce billet ${crypto.randomUUID()}`,
        notify_replies: true,
      }),
      await post({
        author_name: name,
        author_email: email.toUpperCase(),
        author_url: website,
        content: `Deuxième passage, pas content ${crypto.randomUUID()}`,
      }),
      await post({ author_name: name, author_email: email, author_url: website, content: `Troisième, en attente ${crypto.randomUUID()}` }),
    ];
    // An old import's row, with capitals, normalised by the migration.
    const now = Date.now();
    const imported = await env.DB.prepare(
      "INSERT INTO comments (post_slug, author_name, author_email, author_url, content, html, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'ancien', '<p>ancien</p>', 'approved', ?, ?)",
    )
      .bind(SLUG, name, email, website, now, now)
      .run();
    ids.push(imported.meta.last_row_id);
    await normaliseMigration();
    // Decisions that teach the filter, one in bulk with a comment that does not exist.
    expect((await admin(`/api/admin/comments/${ids[0]}/approve`, { method: "POST" })).status).toBe(200);
    expect((await admin("/api/admin/comments/bulk", { method: "POST", body: JSON.stringify({ ids: [ids[1], 987_654_321], action: "spam" }) })).status).toBe(
      200,
    );
    const reply = await post(uniqueComment({ author_name: "Voisine", parent_id: ids[0] }), newReader());
    await admin(`/api/admin/comments/${reply}/approve`, { method: "POST" });
    for (const kind of ["email", "network", "host"])
      expect((await admin("/api/admin/blocks", { method: "POST", body: JSON.stringify({ kind, comment_id: ids[1] }) })).status).toBe(201);
    expect((await call("/api/admin/blocks", { headers: ADMIN }).then((r) => r.json())) as unknown).toBeTruthy();
    const trained = await env.DB.prepare("SELECT feature FROM spam_features WHERE feature LIKE '%quobly%'").all<{ feature: string }>();
    expect(trained.results.map((r) => r.feature).sort()).toEqual([
      "mail:quobly-mail.example",
      "name:quobly",
      "site-hostword:quobly",
      "site:quobly-site.example",
    ]);

    // The export holds all of it: their comments, the three blocks, their subscription, and the log entries naming their comments.
    const exported = (await (await admin(`/api/admin/commenters?email=${encodeURIComponent(email)}`)).json()) as {
      comments: { id: number; ip_hash: string | null }[];
      blocks: { kind: string }[];
      subscriptions: { subscribed: boolean; following: number[] };
      log: AuditEntry[];
    };
    expect(exported.comments.map((c) => c.id)).toEqual(ids);
    expect(exported.blocks.map((b) => b.kind).sort()).toEqual(["email", "host", "network"]);
    expect(exported.subscriptions).toMatchObject({ subscribed: true, following: [ids[0]] });
    expect(exported.log.map((e) => `${e.action} ${e.comment_ids.join(",")}`)).toEqual([
      `approve ${ids[0]}`,
      `spam ${ids[1]}`,
      `block:email ${ids[1]}`,
      `block:network ${ids[1]}`,
      `block:host ${ids[1]}`,
    ]);
    const hashes = [...new Set(exported.comments.flatMap((c) => c.ip_hash ?? []))];
    expect(hashes).toHaveLength(1);

    const erased = await admin(`/api/admin/commenters?email=${encodeURIComponent(email)}`, { method: "DELETE" });
    expect(await erased.json()).toEqual({ erased: { comments: 4, blocks: 3 } });

    // Queue messages (sent, retried or dead-lettered) carry ids only; delivered now, they send nothing of theirs.
    expect(m.queued.length).toBeGreaterThan(0);
    await m.deliverQueued();
    const needles = [email.toLowerCase(), "quobly", "zéphyrine", "zephyrine", ...hashes.map((h) => h.toLowerCase())];
    const holding = (text: string) => needles.filter((n) => text.toLowerCase().includes(n));
    expect(m.mailbox.filter((mail) => mail.to.toLowerCase() === email.toLowerCase())).toEqual([]);
    expect(holding(JSON.stringify(m.mailbox))).toEqual([]);

    // Every table (whatever its name), the log's text included, and every log line.
    const tables = await everyTable();
    expect(tables.has("test_search_data")).toBe(true);
    const found = [...tables].flatMap(([table, text]) => holding(text).map((n) => `${table}: ${n}`));
    expect(found).toEqual([]);
    // The index still finds others' words.
    expect((await env.DB.prepare("SELECT count(*) AS n FROM test_search WHERE test_search MATCH 'Voisine'").first<number>("n"))!).toBeGreaterThan(0);
    expect(logged.flatMap(holding)).toEqual([]);
    // The empty place above the neighbour's reply stays, with nothing of them in it.
    const kept = await env.DB.prepare("SELECT status, author_name, author_email, author_url, ip_hash FROM comments WHERE id = ?").bind(ids[0]).first();
    expect(kept).toEqual({ status: "purged", author_name: "", author_email: null, author_url: null, ip_hash: null });
    // The others' counts are still there: only theirs were unlearned.
    expect(await env.DB.prepare("SELECT ham FROM spam_features WHERE feature = 'mail:example.net'").first("ham")).toBe(3);
  });
});

describe("the desk's log records exactly what changed", () => {
  it("names only the comments a decision changed, logs nothing when nothing changed, and logs exports and failed sign-ins", async () => {
    const m = mailEnv();
    const id = await m.post(uniqueComment());
    await admin("/api/admin/comments/bulk", { method: "POST", body: JSON.stringify({ ids: [id, 987_654_320, 987_654_321], action: "approve" }) });
    const [first] = await lastEntries(1);
    expect(first).toMatchObject({ actor: "token", action: "approve", comment_ids: [id] });
    // Again: nothing changes, nothing is logged; on a comment that does not exist either.
    expect((await admin(`/api/admin/comments/${id}/approve`, { method: "POST" })).status).toBe(200);
    await admin("/api/admin/comments/bulk", { method: "POST", body: JSON.stringify({ ids: [987_654_322], action: "spam" }) });
    expect((await lastEntries(1))[0]).toEqual(first);

    await admin("/api/admin/commenters?email=personne@example.org");
    expect((await lastEntries(1))[0]).toMatchObject({ actor: "token", action: "export-commenter", comment_ids: [], detail: "0 comment(s), 0 block(s)" });
    await call("/api/admin/comments", { headers: { Authorization: "Bearer not-the-token-at-all", ...newReader() } });
    expect((await lastEntries(1))[0]).toMatchObject({ actor: "sign-in", action: "sign-in-failed", comment_ids: [] });
  });
});

describe("a bulk decision's batch is bounded", () => {
  it("approves the 100 comments a request takes, 40,000 distinct features (400 a comment, the most) learned in one batch", async () => {
    // Letters only: the filter counts numbers of three digits or more by their shape, not as words.
    const letters = (n: number | string) => String(n).replace(/\d/g, (d) => "abcdefghij"[Number(d)]);
    const tag = letters(crypto.getRandomValues(new Uint32Array(1))[0]).slice(0, 6);
    const now = Date.now();
    const insert = env.DB.prepare(
      "INSERT INTO comments (post_slug, author_name, content, html, status, created_at, updated_at) VALUES (?, ?, ?, '<p>x</p>', 'pending', ?, ?) RETURNING id",
    );
    // 300 words of its own in each comment (the filter keeps 400 features a comment).
    const words = (i: number) => Array.from({ length: 300 }, (_, j) => `m${tag}x${letters(i)}x${letters(j)}`).join(" ");
    const rows = await env.DB.batch<{ id: number }>(Array.from({ length: 100 }, (_, i) => insert.bind(SLUG, `Masse ${i}`, words(i), now, now)));
    const ids = rows.map((r) => r.results[0].id);
    const documents = async () => (await env.DB.prepare("SELECT ham FROM spam_features WHERE feature = ' documents'").first<number>("ham")) ?? 0;
    const before = await documents();
    const res = await admin("/api/admin/comments/bulk", { method: "POST", body: JSON.stringify({ ids, action: "approve" }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { updated: number[] }).updated).toHaveLength(100);
    expect(await documents()).toBe(before + 100);
    // Each comment's own words, as many as the filter keeps beside its few structural features.
    const own = new Set(
      Array.from({ length: 100 }, (_, i) =>
        features({ authorName: `Masse ${i}`, content: words(i), html: "<p>x</p>" }).filter((f) => f.startsWith(`m${tag}x`)),
      ).flat(),
    );
    expect(own.size).toBeGreaterThan(39_000);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM spam_features WHERE feature LIKE ?").bind(`m${tag}x%`).first("n")).toBe(own.size);
    // And unlearned the same way.
    expect((await admin("/api/admin/comments/bulk", { method: "POST", body: JSON.stringify({ ids, action: "pending" }) })).status).toBe(200);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM spam_features WHERE feature LIKE ?").bind(`m${tag}x%`).first("n")).toBe(0);
    expect(await documents()).toBe(before);
  });
});

describe("the spam filter's memory is pruned", () => {
  it("forgets features an undo brings back to nothing", async () => {
    const id = await mailEnv().post(uniqueComment({ content: "Un mot xylophonique et rare" }));
    await admin(`/api/admin/comments/${id}/approve`, { method: "POST" });
    expect(await env.DB.prepare("SELECT ham FROM spam_features WHERE feature = 'xylophonique'").first("ham")).toBe(1);
    await admin(`/api/admin/comments/${id}/pending`, { method: "POST" });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM spam_features WHERE feature LIKE '%xylophonique%'").first("n")).toBe(0);
  });

  it("keeps at most the cap, the rarest going first, the totals always", async () => {
    const insert = env.DB.prepare("INSERT INTO spam_features (feature, spam, ham) VALUES (?, ?, ?)");
    // 150 features seen 0, 1 or 2 times, in a shuffled order.
    await env.DB.batch(Array.from({ length: 150 }, (_, i) => insert.bind(`prune:${(i * 37) % 150}`, ((i * 37) % 150) % 3, 0)));
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM spam_features WHERE feature <> ' documents'").first<number>("n"))!;
    const others = (await count()) - 150;
    const max = others + 70;
    await pruneSpamFeatures(env, max);
    expect(await count()).toBe(max);
    const left = (await env.DB.prepare("SELECT spam FROM spam_features WHERE feature LIKE 'prune:%'").all<{ spam: number }>()).results.map((r) => r.spam);
    // The 50 never seen went, then 30 of those seen once; all those seen twice stay.
    expect(left.filter((n) => n === 0)).toEqual([]);
    expect(left.filter((n) => n === 2)).toHaveLength(50);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM spam_features WHERE feature = ' documents'").first("n")).toBe(1);
  });
});

describe("subscriptions never confirmed", () => {
  it("are asked once more after three days, then forgotten a week later; confirmed ones stay", async () => {
    const m = mailEnv();
    const menv = { ...env, ...m.overrides } as Env;
    const address = `oublieuse-${crypto.randomUUID().slice(0, 6)}@example.org`;
    const id = await m.post(uniqueComment({ author_email: address, notify_replies: true }));
    expect(m.queued).toContainEqual({ event: "subscriber.confirm", comment_id: id });
    expect(JSON.stringify(m.queued)).not.toContain(address);
    await m.deliverQueued();
    expect(m.mailbox.filter((x) => x.to === address)).toHaveLength(1);
    const confirmedAddress = `fidele-${crypto.randomUUID().slice(0, 6)}@example.org`;
    await m.post(uniqueComment({ author_email: confirmedAddress, notify_replies: true }));
    await env.DB.prepare("UPDATE subscribers SET confirmed_at = ? WHERE email = ?").bind(Date.now(), confirmedAddress).run();

    const now = Date.now();
    await tendSubscriptions(menv, now + 2 * DAY);
    expect(m.queued.filter((q) => q.event === "subscriber.confirm" && q.comment_id === id)).toEqual([]);
    await tendSubscriptions(menv, now + 3 * DAY + 3_600_000);
    expect(m.queued).toContainEqual({ event: "subscriber.confirm", comment_id: id });
    await m.deliverQueued();
    expect(m.mailbox.filter((x) => x.to === address)).toHaveLength(2);
    // Asked once more only.
    await tendSubscriptions(menv, now + 5 * DAY);
    expect(m.queued.filter((q) => q.event === "subscriber.confirm" && q.comment_id === id)).toEqual([]);
    // A week after the second asking: forgotten; the confirmed address is not.
    await tendSubscriptions(menv, now + 10 * DAY + 7_200_000);
    const left = (await env.DB.prepare("SELECT email FROM subscribers UNION ALL SELECT email FROM subscriptions").all<{ email: string }>()).results.map(
      (r) => r.email,
    );
    expect(left).not.toContain(address);
    expect(left.filter((e) => e === confirmedAddress)).toHaveLength(2);
  });

  it("a queued confirmation from before messages carried ids only (it names an address) is dropped, not sent nor retried", async () => {
    const m = mailEnv();
    const address = `ancienne-${crypto.randomUUID().slice(0, 6)}@example.org`;
    await env.DB.prepare("INSERT INTO subscribers (email, created_at) VALUES (?, ?)").bind(address, Date.now()).run();
    m.queued.push({ event: "subscriber.confirm", email: address } as unknown as NotifyMessage);
    await m.deliverQueued();
    expect(m.mailbox).toEqual([]);
  });
});

describe("the daily job", () => {
  it("runs every step whatever another does, retries a failing one, and fails at the end naming what still failed", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ran: string[] = [];
    let flaky = 0;
    const steps: [string, (env: Env) => Promise<unknown>][] = [
      [
        "broken",
        async () => {
          ran.push("broken");
          throw new Error("D1 unavailable");
        },
      ],
      [
        "flaky",
        async () => {
          ran.push("flaky");
          if (++flaky < 2) throw new Error("once");
        },
      ],
      ["fine", async () => void ran.push("fine")],
    ];
    await expect(runDaily(env, { steps, pauseMs: 0 })).rejects.toThrow("daily job: broken failed after 3 tries");
    expect(ran).toEqual(["broken", "broken", "broken", "flaky", "flaky", "fine"]);
  });

  it("erases addresses even when email is broken", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    const id = await mailEnv().post(uniqueComment());
    await env.DB.prepare("UPDATE comments SET created_at = ? WHERE id = ?")
      .bind(Date.now() - 40 * DAY, id)
      .run();
    const broken = {
      ...env,
      ...mailEnv({ EMAIL_NOTIFY: "digest" }).overrides,
      EMAIL: {
        send: async () => {
          throw new Error("email down");
        },
      },
    } as unknown as Env;
    await expect(runDaily(broken, { pauseMs: 0 })).rejects.toThrow(/digest/);
    expect(await env.DB.prepare("SELECT ip_hash FROM comments WHERE id = ?").bind(id).first("ip_hash")).toBeNull();
  });
});
