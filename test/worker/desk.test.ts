// The author's desk: the spam filter that learns from decisions, blocks, the audit log, Cloudflare
// Access and failed sign-ins, a commenter's data (export, erase), address retention, search.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetAccessKeys } from "../../workers/auth/access.ts";
import { features } from "../../workers/spam/classifier.ts";
import { eraseExpiredAddresses } from "../../workers/mail/daily.ts";
import { ADMIN, call, expectError, fetchWith, newReader, postJson, SLUG } from "./helpers.ts";
import { within } from "../time-limit.ts";

const COMMENTS = `/api/posts/${SLUG}/comments`;
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { ...ADMIN, "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

afterEach(() => {
  vi.restoreAllMocks();
});

interface AdminComment {
  id: number;
  status: string;
  held_for: string | null;
  spam_score: number | null;
  spam_reasons: string[];
  trained_as: string | null;
  author: { email: string | null };
}

async function post(body: Record<string, unknown>, headers: Record<string, string> = newReader()): Promise<number> {
  const res = await postJson(COMMENTS, body, headers);
  expect([201, 202]).toContain(res.status);
  return ((await res.json()) as { comment: { id: number } }).comment.id;
}

async function admin(id: number): Promise<AdminComment> {
  const row = await env.DB.prepare("SELECT status FROM comments WHERE id = ?").bind(id).first<{ status: string }>();
  const res = await call(`/api/admin/comments?status=${row!.status}&limit=200`, { headers: ADMIN });
  const { comments } = (await res.json()) as { comments: AdminComment[] };
  return comments.find((c) => c.id === id)!;
}

async function decide(id: number, action: "approve" | "spam" | "pending"): Promise<void> {
  expect((await call(`/api/admin/comments/${id}/${action}`, { method: "POST", headers: ADMIN })).status).toBe(200);
}

async function featureCount(feature: string): Promise<{ spam: number; ham: number }> {
  return (
    (await env.DB.prepare("SELECT spam, ham FROM spam_features WHERE feature = ?").bind(feature).first<{ spam: number; ham: number }>()) ?? { spam: 0, ham: 0 }
  );
}

const spamText = (i: number) => `Cheap casino bonus ${i}: win big money now at https://casino-${i % 3}.example/bonus and https://pills.example`;
const hamText = (i: number) => `Merci pour ce billet ${i}, je me souviens bien de ces soirées entre amis et de ce qu’on en disait alors.`;

describe("the spam filter learns from the author's decisions", () => {
  it(
    "files obvious spam as spam once taught, holds nothing it has not learned, unlearns on undo",
    async () => {
      // Before any training, the filter decides nothing.
      const early = await post({ author_name: "Casino King", content: spamText(100) });
      expect((await admin(early)).spam_score).toBeNull();
      // Decided in bulk, as the admin page does: one batch for the spam, one for the ham.
      const teach = async (from: number, to: number) => {
        const spam: number[] = [];
        const ham: number[] = [];
        for (let i = from; i < to; i++) {
          spam.push(await post({ author_name: `Casino ${i}`, content: spamText(i), author_url: "https://casino.example" }));
          ham.push(await post({ author_name: `Lectrice ${i}`, content: hamText(i) }));
        }
        for (const [ids, action] of [
          [spam, "spam"],
          [ham, "approve"],
        ] as const)
          expect((await call("/api/admin/comments/bulk", json({ ids, action }))).status).toBe(200);
      };
      await teach(0, 8);
      expect(await featureCount(" documents")).toMatchObject({ spam: expect.any(Number), ham: expect.any(Number) });
      expect((await featureCount("casino")).spam).toBeGreaterThanOrEqual(8);
      // Taught a little (under 30 of each), the filter holds what looks like spam; it files nothing.
      const doubtful = await admin(await post({ author_name: "Casino Queen", content: spamText(41), author_url: "https://casino.example" }));
      expect(doubtful.spam_score).toBeGreaterThan(0.9);
      // (Its word "casino" is one of HOLD_WORDS, which speaks before the filter's doubts.)
      expect(doubtful.status).toBe("pending");
      await teach(8, 30);

      // A new spam goes straight to spam, without telling the sender; the desk says why.
      const res = await postJson(COMMENTS, { author_name: "Casino Queen", content: spamText(42), author_url: "https://casino.example" });
      expect(res.status).toBe(202);
      const id = ((await res.json()) as { comment: { id: number } }).comment.id;
      const caught = await admin(id);
      expect(caught).toMatchObject({ status: "spam", held_for: "filter" });
      expect(caught.spam_score).toBeGreaterThan(0.9);
      expect(caught.spam_reasons.length).toBeGreaterThan(0);
      expect(caught.spam_reasons.some((r) => /casino|bonus|host:|site:/.test(r))).toBe(true);

      // A new ham is scored low and follows the moderation policy (first comment: held for it).
      const good = await admin(await post({ author_name: "Jeanne", content: hamText(77) }));
      expect(good.spam_score).toBeLessThan(0.5);
      expect(good.held_for).toBe("first_comment");

      // Approving the caught one teaches ham instead of nothing; putting it back in the queue unlearns.
      const before = await featureCount("casino");
      await decide(id, "approve");
      expect((await featureCount("casino")).ham).toBe(before.ham + 1);
      expect((await admin(id)).trained_as).toBe("ham");
      await decide(id, "pending");
      expect(await featureCount("casino")).toEqual(before);
      expect((await admin(id)).trained_as).toBeNull();
      // Deciding the same twice does not count twice.
      await decide(id, "spam");
      await decide(id, "spam");
      expect((await featureCount("casino")).spam).toBe(before.spam + 1);
    },
    within(3_000),
  );

  it("describes a comment by its words, pairs, links, name, website, language, length and shouting", () => {
    const f = features({
      authorName: "BUY NOW",
      authorEmail: "x@spam.example",
      authorUrl: "https://www.shop.example/x",
      content: "GREAT DEALS TODAY!!!!! Visit",
      html: '<p>GREAT DEALS TODAY!!!!! Visit <a href="https://www.deals.example/a">here</a></p>',
    });
    for (const expected of [
      "great",
      "great deals",
      "host:deals.example",
      "links:1",
      "name:buy",
      "name:shouting",
      "site:shop.example",
      "mail:spam.example",
      "script:latin",
      "shouting",
      "repeated",
    ]) {
      expect(f).toContain(expected);
    }
  });
});

describe("blocks", () => {
  it("sends a blocked commenter's new comments to spam, by email, network (/64) or website, until lifted", async () => {
    const reader = { "CF-Connecting-IP": "2001:db8:b10c:1::7" };
    const first = await post(
      { author_name: "Troll", author_email: "Troll@Example.org", author_url: "https://troll.example", content: `premier ${crypto.randomUUID()}` },
      reader,
    );
    const blocks: number[] = [];
    for (const kind of ["email", "network", "host"]) {
      const res = await call("/api/admin/blocks", json({ kind, comment_id: first, reason: "insultes" }));
      expect(res.status).toBe(201);
      blocks.push(((await res.json()) as { block: { id: number } }).block.id);
    }
    const listed = (await (await call("/api/admin/blocks", { headers: ADMIN })).json()) as { blocks: { kind: string; value: string; until: string | null }[] };
    expect(listed.blocks.find((b) => b.kind === "email")!.value).toBe("troll@example.org");
    expect(listed.blocks.find((b) => b.kind === "host")!.value).toBe("troll.example");
    expect(listed.blocks.every((b) => b.until === null)).toBe(true);

    const statusOf = async (id: number) =>
      (await env.DB.prepare("SELECT status, held_for FROM comments WHERE id = ?").bind(id).first<{ status: string; held_for: string }>())!;
    // Each way alone catches them: another address of the same /64, another email, another site.
    const byNetwork = await post({ author_name: "T", content: `réseau ${crypto.randomUUID()}` }, { "CF-Connecting-IP": "2001:db8:b10c:1:ffff::1" });
    const byEmail = await post({ author_name: "T", author_email: "troll@example.org", content: `courriel ${crypto.randomUUID()}` });
    const byHost = await post({ author_name: "T", author_url: "http://www.troll.example/blog", content: `site ${crypto.randomUUID()}` });
    // Stored as spam; what each would have been unblocked (held: a first comment) is what its author sees.
    for (const id of [byNetwork, byEmail, byHost]) expect(await statusOf(id)).toEqual({ status: "spam", held_for: "blocked:held" });
    // Someone else is not caught.
    expect((await statusOf(await post({ author_name: "Autre", content: `libre ${crypto.randomUUID()}` }))).status).toBe("pending");

    for (const id of blocks) expect((await call(`/api/admin/blocks/${id}`, { method: "DELETE", headers: ADMIN })).status).toBe(204);
    expect(
      (await statusOf(await post({ author_name: "T", author_email: "troll@example.org", content: `pardonné ${crypto.randomUUID()}` }, reader))).status,
    ).toBe("pending");
    await expectError(await call(`/api/admin/blocks/${blocks[0]}`, { method: "DELETE", headers: ADMIN }), 404, "not_found");
  });

  it("blocks for a time, and by a value given by hand; refuses what cannot be blocked", async () => {
    const res = await call("/api/admin/blocks", json({ kind: "network", value: "2001:db8:7e:7::1", days: 7 }));
    expect(res.status).toBe(201);
    const { block } = (await res.json()) as { block: { until: string } };
    expect(Date.parse(block.until) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const id = await post({ author_name: "X", content: `temps ${crypto.randomUUID()}` }, { "CF-Connecting-IP": "2001:db8:7e:7:abcd::9" });
    expect((await env.DB.prepare("SELECT status FROM comments WHERE id = ?").bind(id).first<{ status: string }>())!.status).toBe("spam");
    // An ended block no longer applies.
    await env.DB.prepare("UPDATE blocks SET until = ? WHERE kind = 'network'")
      .bind(Date.now() - 1000)
      .run();
    const later = await post({ author_name: "X", content: `après ${crypto.randomUUID()}` }, { "CF-Connecting-IP": "2001:db8:7e:7:abcd::9" });
    expect((await env.DB.prepare("SELECT status FROM comments WHERE id = ?").bind(later).first<{ status: string }>())!.status).toBe("pending");

    const bad = await expectError(await call("/api/admin/blocks", json({ kind: "network", value: "not an address" })), 422, "validation_failed");
    expect(bad.error.fields).toEqual({ value: "invalid" });
    await expectError(await call("/api/admin/blocks", json({ kind: "galaxy", value: "x" })), 422, "validation_failed");
    await expectError(await call("/api/admin/blocks", json({ kind: "email" })), 422, "validation_failed");
    const none = await post({ author_name: "Sans site", content: `rien ${crypto.randomUUID()}` });
    await expectError(await call("/api/admin/blocks", json({ kind: "host", comment_id: none })), 422, "validation_failed");
  });
});

describe("the audit log and sign-in", () => {
  it("records every decision with who made it, newest first", async () => {
    const id = await post({ author_name: "Audité", content: `audit ${crypto.randomUUID()}` });
    await decide(id, "approve");
    await call("/api/admin/comments/bulk", json({ ids: [id], action: "spam" }));
    const { entries } = (await (await call("/api/admin/audit?limit=5", { headers: ADMIN })).json()) as {
      entries: { actor: string; action: string; comment_ids: number[]; at: string }[];
    };
    expect(entries[0]).toMatchObject({ actor: "token", action: "spam", comment_ids: [id] });
    expect(entries[1]).toMatchObject({ actor: "token", action: "approve", comment_ids: [id] });
    expect(Date.parse(entries[0].at)).toBeGreaterThanOrEqual(Date.parse(entries[1].at));
  });

  it("limits failed sign-ins per client network; past the limit, the right token waits too (trust.test.ts)", async () => {
    const from = { "CF-Connecting-IP": "2001:db8:bad:1::1" };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await call("/api/admin/comments", { headers: { Authorization: `Bearer guess-${i}-guess-guess`, ...from } })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    expect((await call("/api/admin/comments", { headers: { ...ADMIN, ...from } })).status).toBe(429);
  });

  it("accepts a valid Cloudflare Access identity instead of the token, and nothing forged, expired or for another app", async () => {
    forgetAccessKeys();
    const team = "billet-team.cloudflareaccess.com";
    const aud = "aud-tag-123";
    const pair = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const jwk = { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), kid: "k1" };
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      expect(String(input)).toBe(`https://${team}/cdn-cgi/access/certs`);
      return Response.json({ keys: [jwk] });
    });
    const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const sign = async (claims: Record<string, unknown>, kid = "k1") => {
      const head = `${b64({ alg: "RS256", kid, typ: "JWT" })}.${b64(claims)}`;
      const sig = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pair.privateKey, new TextEncoder().encode(head)));
      return `${head}.${btoa(String.fromCharCode(...sig))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, "")}`;
    };
    const now = Math.floor(Date.now() / 1000);
    const good = { aud: [aud], iss: `https://${team}`, exp: now + 600, email: "auteur@example.org" };
    const withAccess = (jwt: string, path = "/api/admin/comments/counts", init: RequestInit = {}) =>
      fetchWith({ ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: aud }, path, {
        ...init,
        headers: { "Cf-Access-Jwt-Assertion": jwt, ...newReader(), ...(init.headers as Record<string, string>) },
      });

    expect((await withAccess(await sign(good))).status).toBe(200);
    for (const bad of [
      { ...good, aud: ["other"] },
      { ...good, exp: now - 10 },
      { ...good, iss: "https://evil.example" },
    ]) {
      await expectError(await withAccess(await sign(bad)), 401, "unauthorized");
    }
    await expectError(await withAccess(await sign(good, "unknown-key")), 401, "unauthorized");
    const [h, p] = (await sign(good)).split(".");
    await expectError(await withAccess(`${h}.${p}.${"A".repeat(342)}`), 401, "unauthorized");
    // The keys were fetched once, and the audit names the person.
    expect(spy).toHaveBeenCalledTimes(1);
    const id = await post({ author_name: "Par Access", content: `access ${crypto.randomUUID()}` });
    expect((await withAccess(await sign(good), `/api/admin/comments/${id}/approve`, { method: "POST" })).status).toBe(200);
    const { entries } = (await (await call("/api/admin/audit?limit=1", { headers: ADMIN })).json()) as { entries: { actor: string }[] };
    expect(entries[0].actor).toBe("access:auteur@example.org");
  });
});

describe("a commenter's data", () => {
  it("is exported whole by email, then erased: comments purged (a place kept for replies), blocks lifted, nothing left", async () => {
    const email = `camille-${crypto.randomUUID().slice(0, 6)}@example.org`;
    const mine = [
      await post({ author_name: "Camille", author_email: email, content: `un ${crypto.randomUUID()}` }),
      await post({ author_name: "Camille", author_email: email.toUpperCase(), content: `deux ${crypto.randomUUID()}` }),
    ];
    await decide(mine[0], "approve");
    const reply = await post({ author_name: "Réponse", content: `réponse ${crypto.randomUUID()}`, parent_id: mine[0] });
    await decide(reply, "approve");
    await call("/api/admin/blocks", json({ kind: "email", value: email }));

    const res = await call(`/api/admin/commenters?email=${encodeURIComponent(email.toUpperCase())}`, { headers: ADMIN });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Disposition")).toContain("attachment");
    const data = (await res.json()) as { comments: AdminComment[]; blocks: unknown[] };
    expect(data.comments.map((c) => c.id)).toEqual(mine);
    expect(data.blocks).toHaveLength(1);

    const erased = await call(`/api/admin/commenters?email=${encodeURIComponent(email)}`, { method: "DELETE", headers: ADMIN });
    expect(await erased.json()).toEqual({ erased: { comments: 2, blocks: 1 } });
    const after = (await (await call(`/api/admin/commenters?email=${encodeURIComponent(email)}`, { headers: ADMIN })).json()) as {
      comments: unknown[];
      blocks: unknown[];
    };
    expect(after).toMatchObject({ comments: [], blocks: [] });
    const rows = await env.DB.prepare(`SELECT id, status, author_name, content, author_email FROM comments WHERE id IN (${mine.join(",")})`).all();
    // The approved one had a reply: its empty place stays, with nothing of Camille in it.
    expect(rows.results).toEqual([{ id: mine[0], status: "purged", author_name: "", content: "", author_email: null }]);
    const { entries } = (await (await call("/api/admin/audit?limit=2", { headers: ADMIN })).json()) as { entries: { action: string; detail: string }[] };
    // The export that followed is logged too, and neither names the address.
    expect(entries.map((e) => e.action)).toEqual(["export-commenter", "erase-commenter"]);
    expect(JSON.stringify(entries)).not.toContain(email);
    await expectError(await call("/api/admin/commenters?email=not-an-email", { headers: ADMIN }), 400, "bad_request");
  });

  it("address hashes are erased after the retention; newer ones are kept", async () => {
    const old = await post({ author_name: "Ancienne", content: `vieux ${crypto.randomUUID()}` });
    const recent = await post({ author_name: "Récente", content: `récent ${crypto.randomUUID()}` });
    await env.DB.prepare("UPDATE comments SET created_at = ? WHERE id = ?")
      .bind(Date.now() - 31 * 86_400_000, old)
      .run();
    const hash = (id: number) => env.DB.prepare("SELECT ip_hash FROM comments WHERE id = ?").bind(id).first<{ ip_hash: string | null }>();
    expect((await hash(old))!.ip_hash).toMatch(/^[\w-]{22}$/);
    expect(await eraseExpiredAddresses(env)).toBeGreaterThanOrEqual(1);
    expect((await hash(old))!.ip_hash).toBeNull();
    expect((await hash(recent))!.ip_hash).toMatch(/^[\w-]{22}$/);
  });
});

describe("searching the desk", () => {
  it("finds comments by name, email, website or text, every word given, with % and _ taken literally", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const a = await post({ author_name: `Zoé ${tag}`, author_email: `zoe-${tag}@example.org`, content: "Un texte à 100% sincère" });
    const b = await post({ author_name: "Marc", author_url: `https://${tag}.example`, content: "Autre chose" });
    const search = async (q: string) => {
      const res = await call(`/api/admin/comments?status=pending&limit=200&q=${encodeURIComponent(q)}`, { headers: ADMIN });
      return ((await res.json()) as { comments: { id: number }[] }).comments.map((c) => c.id);
    };
    expect(await search(tag)).toEqual([b, a]);
    expect(await search(`zoe-${tag}`)).toEqual([a]);
    expect(await search(`${tag} sincère`)).toEqual([a]);
    expect(await search(`${tag} 100%`)).toEqual([a]);
    expect(await search(`${tag} 1_0`)).toEqual([]);
  });
});
