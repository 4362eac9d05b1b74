// Issue 13, "trust that a typed email can take": each finding as it was reported, and what holds now.
// - first-comment trust needs this browser's signed cookie, not the email typed;
// - reply emails are consented per thread (or by the cookie that proves the address);
// - past the limit of failed sign-ins, the right token is refused too, and the page says how long to wait;
// - a blocked commenter is answered and shown what they would have been without the block, nobody else;
// - moderation by email reply: a reference works once, From: must match the sender, forged mail is
//   refused, and a reference typed into a comment does not hide the notification's;
// - Cloudflare Access keys fetched again on an unknown key id (not more than once a minute), with a timeout;
// - an Idempotency-Key replay answers only the client that sent the post.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetAccessKeys } from "../../workers/auth/access.ts";
import { authenticationOf } from "../../workers/mail/inbound.ts";
import worker from "../../workers/index.ts";
import type { NotifyMessage } from "../../workers/mail/notify.ts";
import { ApiFailure, failureWords } from "../../widget/admin/logic.ts";
import { adminStrings } from "../../widget/admin/strings.ts";
import { ADMIN, call, expectError, fetchWith, newReader, SLUG, uniqueComment } from "./helpers.ts";

const COMMENTS = `/api/posts/${SLUG}/comments`;
const PAGE = `/posts/${SLUG}/`;
const AUTHOR = "arnaud@billet.example";

afterEach(() => {
  vi.restoreAllMocks();
});

interface Posted {
  status: number;
  id: number;
  token: string | undefined;
  cookie: string | null;
}

/** A browser: its own network, user agent and cookie jar (billet_own only). */
function browser(overrides: Partial<Env> = {}) {
  const reader = { ...newReader(), "User-Agent": `Navigateur ${crypto.randomUUID()}` };
  let cookie: string | null = null;
  const keep = (res: Response) => {
    const own = res.headers.getSetCookie().find((c) => c.startsWith("billet_own="));
    if (own) cookie = own.split(";")[0];
  };
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = { ...reader, ...(cookie ? { Cookie: cookie } : {}), ...(init.headers as Record<string, string>) };
    const res = await fetchWith(overrides, path, { ...init, headers });
    keep(res);
    return res;
  };
  const post = async (body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Posted> => {
    const res = await request(COMMENTS, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
    const data = (await res.json()) as { comment?: { id: number }; edit_token?: string };
    const own = res.headers.getSetCookie().find((c) => c.startsWith("billet_own="));
    return { status: res.status, id: data.comment?.id ?? 0, token: data.edit_token, cookie: own ? own.split(";")[0] : null };
  };
  return { request, post, reader, cookie: () => cookie };
}

const rowOf = (id: number) =>
  env.DB.prepare("SELECT status, held_for FROM comments WHERE id = ?").bind(id).first<{ status: string; held_for: string | null }>();

async function approve(id: number, overrides: Partial<Env> = {}): Promise<void> {
  expect((await fetchWith(overrides, `/api/admin/comments/${id}/approve`, { method: "POST", headers: ADMIN })).status).toBe(200);
}

describe("first-comment trust rests on the commenter's signed cookie, not the email typed", () => {
  it("publishes a returning commenter from their browser; the same email typed elsewhere waits", async () => {
    const email = `fidele-${crypto.randomUUID().slice(0, 8)}@example.org`;
    const alice = browser();
    const first = await alice.post(uniqueComment({ author_name: "Alice", author_email: email }));
    expect(first.status).toBe(202);
    await approve(first.id);
    // Before: anyone typing an email with an approved comment was published at once.
    const mallory = browser();
    const forged = await mallory.post(uniqueComment({ author_name: "Alice", author_email: email }));
    expect(forged.status).toBe(202);
    expect(await rowOf(forged.id)).toEqual({ status: "pending", held_for: "first_comment" });
    // Waiting, it is in Mallory's cookie; her next one, with it, is still not trusted.
    const again = await mallory.post(uniqueComment({ author_name: "Alice", author_email: email.toUpperCase() }));
    expect(again.status).toBe(202);
    // Alice, from her browser, is published (her email in any case).
    expect((await alice.post(uniqueComment({ author_name: "Alice", author_email: email.toUpperCase() }))).status).toBe(201);
    // A cookie proving an approved comment of another email does not carry over.
    expect((await alice.post(uniqueComment({ author_name: "Alice", author_email: `autre-${email}` }))).status).toBe(202);
    // A cookie of more than 20 comments still trusts by those it holds, as long as one is approved.
    for (let i = 0; i < 25; i++)
      expect(
        (await alice.post(uniqueComment({ author_name: "Alice", author_email: email }), { "CF-Connecting-IP": newReader()["CF-Connecting-IP"] })).status,
      ).toBe(201);
  });
});

/** Email on, a queue and a mailbox that keep what they are given (as in email.test.ts). */
function mailEnv() {
  const queued: NotifyMessage[] = [];
  const mailbox: { to: string; subject: string; text: string; headers?: Record<string, string> }[] = [];
  const overrides: Partial<Env> = {
    EMAIL_FROM: "billet@billet.example",
    AUTHOR_EMAIL: AUTHOR,
    EMAIL_NOTIFY: "each",
    PUBLIC_URL: "https://billet.test",
    NOTIFY: { sendBatch: async (batch: { body: NotifyMessage }[]) => void queued.push(...batch.map((m) => m.body)) } as unknown as Queue,
    EMAIL: {
      send: async (m: (typeof mailbox)[number]) => {
        mailbox.push(m);
        return { messageId: `m${mailbox.length}` };
      },
    } as unknown as SendEmail,
  };
  const deliverQueued = async () => {
    const bodies = queued.splice(0);
    const batch = createMessageBatch<NotifyMessage>(
      "billet-notify",
      bodies.map((body, i) => ({ id: `q${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, ...overrides } as Env, ctx);
    expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([]);
  };
  return { overrides, queued, mailbox, deliverQueued, menv: { ...env, ...overrides } as Env };
}

const linksIn = (text: string) => [...text.matchAll(/https:\/\/billet\.test(\/[^\s"<]+)/g)].map((m) => m[1]);

describe("reply emails are consented per thread", () => {
  it("asks again for each new thread typed with a confirmed address, unless the browser proved it", async () => {
    const m = mailEnv();
    const victim = `suivie-${crypto.randomUUID().slice(0, 8)}@example.org`;
    const alice = browser(m.overrides);
    const mine = await alice.post(uniqueComment({ author_name: "Alice", author_email: victim, notify_replies: true }));
    await approve(mine.id, m.overrides);
    await m.deliverQueued();
    const confirmation = m.mailbox.find((x) => x.to === victim)!;
    const confirmLink = linksIn(confirmation.text).find((l) => l.startsWith("/subscriptions/confirm/"))!;
    // Confirmed from Alice's browser: that browser now proves the address.
    expect((await alice.request(confirmLink, { method: "POST" })).status).toBe(200);

    // Before: once confirmed, anyone could post with this address and the box, and get every reply.
    const mallory = browser(m.overrides);
    const bait = await mallory.post(uniqueComment({ author_name: "Mallory", author_email: victim, notify_replies: true }));
    await approve(bait.id, m.overrides);
    m.mailbox.length = 0;
    await m.deliverQueued();
    // The address is asked about this thread, not subscribed to it.
    const asked = m.mailbox.filter((x) => x.to === victim);
    expect(asked).toHaveLength(1);
    expect(asked[0].subject).toContain("Confirmez");
    const reply = await browser(m.overrides).post(uniqueComment({ author_name: "Réponse", parent_id: bait.id }));
    await approve(reply.id, m.overrides);
    m.mailbox.length = 0;
    await m.deliverQueued();
    expect(m.mailbox.filter((x) => x.to === victim)).toEqual([]);

    // Alice, from the browser that confirmed, follows a new thread without another email, and is told.
    const second = await alice.post(uniqueComment({ author_name: "Alice", author_email: victim, notify_replies: true }));
    await approve(second.id, m.overrides);
    const answer = await browser(m.overrides).post(uniqueComment({ author_name: "Bob", parent_id: second.id }));
    await approve(answer.id, m.overrides);
    m.mailbox.length = 0;
    await m.deliverQueued();
    const told = m.mailbox.filter((x) => x.to === victim);
    expect(told.map((x) => x.subject)).toEqual(["Bob vous a répondu sur « Réseaux sociaux, trois ans après »"]);
  });

  it("confirming one thread's link confirms that thread only", async () => {
    const m = mailEnv();
    const reader = `deux-${crypto.randomUUID().slice(0, 8)}@example.org`;
    const b = browser(m.overrides);
    const one = await b.post(uniqueComment({ author_name: "Deux", author_email: reader, notify_replies: true }));
    const two = await browser(m.overrides).post(uniqueComment({ author_name: "Deux", author_email: reader, notify_replies: true }));
    await m.deliverQueued();
    const links = m.mailbox.filter((x) => x.to === reader).map((x) => linksIn(x.text).find((l) => l.startsWith("/subscriptions/confirm/"))!);
    expect(links).toHaveLength(2);
    expect((await fetchWith(m.overrides, links[0], { method: "POST" })).status).toBe(200);
    const rows = await env.DB.prepare("SELECT comment_id, confirmed_at FROM subscriptions WHERE email = ? ORDER BY comment_id").bind(reader).all<{
      comment_id: number;
      confirmed_at: number | null;
    }>();
    expect(rows.results.map((r) => [r.comment_id, r.confirmed_at !== null])).toEqual([
      [one.id, true],
      [two.id, false],
    ]);
  });
});

describe("failed admin sign-ins", () => {
  it("past the limit, refuses every sign-in from that network, the right token too, and says how long to wait", async () => {
    const from = { "CF-Connecting-IP": `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:bad::1` };
    // Asking without a token (the page looking for an Access session) is no guess.
    for (let i = 0; i < 12; i++) await expectError(await call("/api/admin/comments", { headers: from }), 401, "unauthorized");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await call("/api/admin/comments", { headers: { Authorization: `Bearer guess-${i}-guess-guess`, ...from } })).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    // Before: the right token still worked here.
    const refused = await call("/api/admin/comments", { headers: { ...ADMIN, ...from } });
    const wait = Number(refused.headers.get("Retry-After"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    const body = await expectError(refused, 429, "rate_limited");
    expect(body.error.message).toContain(`${wait} s`);
    // Another network is not held back.
    expect((await call("/api/admin/comments", { headers: { ...ADMIN, ...newReader() } })).status).toBe(200);
  });

  it("the admin page says to wait N seconds, not an unexpected error", () => {
    for (const lang of ["fr", "en"]) {
      const s = adminStrings(lang);
      const words = failureWords(new ApiFailure(429, "rate_limited", "Too many", 42), s);
      expect(words).toBe(s.errors.tooManyAttempts(42));
      expect(words).toContain("42 s");
      expect(words).not.toContain("rate_limited");
    }
  });
});

describe("a blocked commenter cannot tell", () => {
  const block = async (email: string) => {
    const res = await call("/api/admin/blocks", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "email", value: email }),
    });
    expect(res.status).toBe(201);
  };
  const articleOf = (html: string, id: number) => new RegExp(`<li id="comment-${id}" [\\s\\S]*?</article>`).exec(html)?.[0];

  it("a trusted commenter, blocked, is answered 201 and sees the comment published; nobody else sees it", async () => {
    const email = `bloque-${crypto.randomUUID().slice(0, 8)}@example.org`;
    const them = browser();
    await approve((await them.post(uniqueComment({ author_name: "Bloqué", author_email: email }))).id);
    await block(email);
    // Before: 202, and the comment never showed to them.
    const text = `Toujours là ${crypto.randomUUID()}`;
    const posted = await them.post(uniqueComment({ author_name: "Bloqué", author_email: email, content: text }));
    expect(posted.status).toBe(201);
    expect(await rowOf(posted.id)).toEqual({ status: "spam", held_for: "blocked:published" });
    const theirs = await them.request(PAGE);
    expect(theirs.headers.get("Cache-Control")).toBe("private, no-store");
    const article = articleOf(await theirs.text(), posted.id);
    expect(article).toBeDefined();
    expect(article).toContain(text);
    expect(article).not.toContain("comment--pending");
    // Anyone else: not on the page, nor in the list.
    expect(await (await call(PAGE)).text()).not.toContain(text);
    expect(await (await call(`${COMMENTS}?limit=200&sort=newest`)).text()).not.toContain(text);
    // They may edit it as their own; it answers as published still.
    const edit = await them.request(`/api/comments/${posted.id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ content: `${text} (corrigé)` }),
    });
    expect(edit.status).toBe(200);
    expect(((await edit.json()) as { status: string }).status).toBe("approved");
    expect((await rowOf(posted.id))!.status).toBe("spam");
  });

  it("a new commenter, blocked, sees their comment waiting exactly like an unblocked one's", async () => {
    const email = `nouveau-${crypto.randomUUID().slice(0, 8)}@example.org`;
    await block(email);
    const them = browser();
    const posted = await them.post(uniqueComment({ author_name: "Nouveau", author_email: email }));
    expect(posted.status).toBe(202);
    expect(await rowOf(posted.id)).toEqual({ status: "spam", held_for: "blocked:held" });
    // The same text again is refused as anyone's would be.
    const twice = await them.request(COMMENTS, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        author_name: "Nouveau",
        author_email: email,
        content: (await env.DB.prepare("SELECT content FROM comments WHERE id = ?").bind(posted.id).first<{ content: string }>())!.content,
      }),
    });
    await expectError(twice, 409, "duplicate_comment");
    const free = browser();
    const twin = await free.post(uniqueComment({ author_name: "Nouveau" }));
    const mine = articleOf(await (await them.request(PAGE)).text(), posted.id)!;
    const other = articleOf(await (await free.request(PAGE)).text(), twin.id)!;
    // Each commenter has their own face: its address aside, the same shape.
    const shape = (html: string) =>
      html
        .replace(/<div class="comment-body">[\s\S]*?<\/div>/, "")
        .replace(/src="\/avatars\/[0-9a-f]{20}\.svg"/, 'src="face"')
        .replace(/\d+/g, "N");
    expect(mine).toContain("comment--pending");
    expect(shape(mine)).toBe(shape(other));
    // Not for anyone else.
    expect(articleOf(await (await free.request(PAGE)).text(), posted.id)).toBeUndefined();
  });
});

describe("moderating by email reply", () => {
  const reply = (opts: { envelope: string; from?: string; body: string; subject?: string; auth?: string }) => {
    let rejected: string | null = null;
    const raw = `From: ${opts.from ?? opts.envelope}\r\nTo: moderation@billet.example\r\nSubject: ${opts.subject ?? "Re: À modérer"}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${opts.body}\r\n`;
    const headers = new Headers({ From: opts.from ?? opts.envelope, Subject: opts.subject ?? "Re: a moderer" });
    if (opts.auth) headers.set("Authentication-Results", opts.auth);
    const message = {
      from: opts.envelope,
      to: "moderation@billet.example",
      raw: new Response(raw).body!,
      rawSize: raw.length,
      headers,
      setReject: (reason: string) => {
        rejected = reason;
      },
      forward: async () => ({ messageId: "" }),
      reply: async () => ({ messageId: "" }),
    } as unknown as ForwardableEmailMessage;
    return { message, rejected: () => rejected };
  };
  const quote = (text: string) =>
    text
      .split("\n")
      .map((l) => `> ${l}`)
      .join("\r\n");

  it("takes the notification's reference, not one typed into the comment, and each reference works once", async () => {
    const m = mailEnv();
    // A commenter types a reference into their text (one that does not verify).
    const id = (
      await browser(m.overrides).post(uniqueComment({ author_name: "Rusé", content: `billet-ref:${"A".repeat(40)}.${"B".repeat(43)} ${crypto.randomUUID()}` }))
    ).id;
    await m.deliverQueued();
    const mail = m.mailbox.find((x) => x.subject.includes(`[#${id}]`))!;
    // Before: the first reference was taken, the typed one, and moderating this comment by reply failed.
    const ok = reply({ envelope: AUTHOR, subject: `Re: ${mail.subject}`, body: `ok\r\n\r\n${quote(mail.text)}` });
    await worker.email(ok.message, m.menv, createExecutionContext());
    expect(ok.rejected()).toBeNull();
    expect((await rowOf(id))!.status).toBe("approved");
    // The same reply again (or anyone holding it): refused, nothing changes.
    const again = reply({ envelope: AUTHOR, body: `spam\r\n\r\n${quote(mail.text)}` });
    await worker.email(again.message, m.menv, createExecutionContext());
    expect(again.rejected()).toMatch(/already/);
    expect((await rowOf(id))!.status).toBe("approved");
  });

  it("requires the From: header to be the sender, and refuses what Cloudflare found forged", async () => {
    const m = mailEnv();
    const id = (await browser(m.overrides).post(uniqueComment({ author_name: "Douteux" }))).id;
    await m.deliverQueued();
    const mail = m.mailbox.find((x) => x.subject.includes(`[#${id}]`))!;
    const body = `spam\r\n\r\n${quote(mail.text)}`;
    // Before: only the envelope was read.
    const otherFrom = reply({ envelope: AUTHOR, from: "mallory@example.org", body });
    await worker.email(otherFrom.message, m.menv, createExecutionContext());
    expect(otherFrom.rejected()).toMatch(/From:/);
    const forged = reply({
      envelope: AUTHOR,
      body,
      auth: "mx.cloudflare.net; dkim=none; dmarc=fail header.from=billet.example; spf=fail smtp.mailfrom=arnaud@billet.example",
    });
    await worker.email(forged.message, m.menv, createExecutionContext());
    expect(forged.rejected()).toMatch(/SPF, DKIM or DMARC/);
    expect((await rowOf(id))!.status).toBe("pending");
    const genuine = reply({
      envelope: AUTHOR,
      body,
      auth: "mx.cloudflare.net; dkim=pass header.d=billet.example; dmarc=pass header.from=billet.example; spf=pass",
    });
    await worker.email(genuine.message, m.menv, createExecutionContext());
    expect(genuine.rejected()).toBeNull();
    expect((await rowOf(id))!.status).toBe("spam");
  });

  it("reads what the receiving server says of the message's authentication", () => {
    const h = (v: string) => new Headers({ "Authentication-Results": v });
    expect(authenticationOf(new Headers(), "billet.example")).toBe("unknown");
    expect(authenticationOf(h("mx.cloudflare.net; spf=pass smtp.mailfrom=a@billet.example"), "billet.example")).toBe("pass");
    expect(authenticationOf(h("mx.cloudflare.net; dkim=pass header.d=billet.example; spf=softfail"), "billet.example")).toBe("pass");
    // Signed, but by someone else's domain.
    expect(authenticationOf(h("mx.cloudflare.net; dkim=pass header.d=evil.example; spf=fail"), "billet.example")).toBe("fail");
    // A "pass" added by the sender does not outweigh the server's DMARC failure.
    const both = new Headers({ "Authentication-Results": "mx.cloudflare.net; dmarc=fail; spf=fail" });
    both.append("Authentication-Results", "mx.cloudflare.net; dmarc=pass; spf=pass");
    expect(authenticationOf(both, "billet.example")).toBe("fail");
  });
});

describe("Cloudflare Access keys", () => {
  it("are fetched again, with a timeout, when a token names a key not known (keys rotate), at most once a minute", async () => {
    forgetAccessKeys();
    const team = `rotation-${crypto.randomUUID().slice(0, 6)}.cloudflareaccess.com`;
    const aud = "aud-rotation";
    const newPair = () =>
      crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, [
        "sign",
        "verify",
      ]) as Promise<CryptoKeyPair>;
    const pairs = { k1: await newPair(), k2: await newPair() };
    let published: (keyof typeof pairs)[] = ["k1"];
    const signals: unknown[] = [];
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      expect(String(input)).toBe(`https://${team}/cdn-cgi/access/certs`);
      signals.push(init?.signal);
      const keys = await Promise.all(published.map(async (kid) => ({ ...((await crypto.subtle.exportKey("jwk", pairs[kid].publicKey)) as JsonWebKey), kid })));
      return Response.json({ keys });
    });
    const b64 = (bytes: Uint8Array) =>
      btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, "");
    const sign = async (kid: keyof typeof pairs) => {
      const enc = (v: unknown) => b64(new TextEncoder().encode(JSON.stringify(v)));
      const head = `${enc({ alg: "RS256", kid, typ: "JWT" })}.${enc({ aud: [aud], iss: `https://${team}`, exp: Math.floor(Date.now() / 1000) + 600, email: "auteur@example.org" })}`;
      return `${head}.${b64(new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pairs[kid].privateKey, new TextEncoder().encode(head))))}`;
    };
    const signIn = async (kid: keyof typeof pairs) =>
      (
        await fetchWith({ ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: aud }, "/api/admin/comments/counts", {
          headers: { "Cf-Access-Jwt-Assertion": await sign(kid), ...newReader() },
        })
      ).status;

    expect(await signIn("k1")).toBe(200);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(signals[0]).toBeInstanceOf(AbortSignal);
    // Access rotates to k2 within the minute: not fetched again yet (a made-up kid cannot make every request fetch)…
    published = ["k1", "k2"];
    expect(await signIn("k2")).toBe(401);
    expect(spy).toHaveBeenCalledTimes(1);
    // …and a minute later, the unknown key is fetched (before: not until the hour's cache ended).
    vi.spyOn(Date, "now").mockReturnValue(Date.now() + 61_000);
    expect(await signIn("k2")).toBe(200);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(await signIn("k1")).toBe(200);
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

describe("an Idempotency-Key replay", () => {
  it("answers the client that sent the post; anyone else repeating key, name and text gets 409 without token or cookie", async () => {
    const body = uniqueComment();
    const key = crypto.randomUUID();
    const alice = browser();
    const first = await alice.post(body, { "Idempotency-Key": key });
    expect(first.status).toBe(202);
    const retry = await alice.post(body, { "Idempotency-Key": key });
    expect(retry).toMatchObject({ status: 202, id: first.id, token: first.token });
    // Before: a stranger repeating the key, name and text got the edit token and the cookie that owns the comment.
    const mallory = browser();
    const res = await mallory.request(COMMENTS, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify(body),
    });
    const refused = await expectError(res, 409, "duplicate_comment");
    expect(JSON.stringify(refused)).not.toContain(first.token!);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("billet_own="))).toBe(false);
    // The same network with another browser is another client too.
    const sameNetwork = await fetchWith({}, COMMENTS, {
      method: "POST",
      headers: { ...alice.reader, "User-Agent": "Autre navigateur", "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify(body),
    });
    await expectError(sameNetwork, 409, "duplicate_comment");
  });
});
