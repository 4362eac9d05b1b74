// Email: the author told of new comments (each, or a digest) with one-click links that work once,
// moderation by replying, and reply notifications for readers who asked and confirmed. The
// send_email binding is replaced by one that keeps the messages, as the queue is.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sendDigest } from "../../workers/daily.ts";
import { commandOf } from "../../workers/inbound.ts";
import worker from "../../workers/index.ts";
import type { NotifyMessage } from "../../workers/notify.ts";
import { ADMIN, expectError, fetchWith, newReader, SLUG, uniqueComment } from "./helpers.ts";

const AUTHOR = "arnaud@billet.example";
interface Sent {
  from: { email: string };
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

/** An environment with email on, a queue and a mailbox that keep what they are given. */
function mailEnv(extra: Partial<Env> = {}) {
  const queued: NotifyMessage[] = [];
  const mailbox: Sent[] = [];
  const overrides: Partial<Env> = {
    EMAIL_FROM: "billet@billet.example",
    AUTHOR_EMAIL: AUTHOR,
    EMAIL_NOTIFY: "each",
    PUBLIC_URL: "https://billet.test",
    NOTIFY: { sendBatch: async (batch: { body: NotifyMessage }[]) => void queued.push(...batch.map((m) => m.body)) } as unknown as Queue,
    EMAIL: {
      send: async (m: Sent) => {
        mailbox.push(m);
        return { messageId: `m${mailbox.length}` };
      },
    } as unknown as SendEmail,
    ...extra,
  };
  /** Runs the queue consumer on what was queued so far (and empties the queue). */
  const deliverQueued = async () => {
    const bodies = queued.splice(0);
    const batch = createMessageBatch<NotifyMessage>(
      "billet-notify",
      bodies.map((body, i) => ({ id: `q${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, ...overrides } as Env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([]);
  };
  const request = (path: string, init: RequestInit = {}) => fetchWith(overrides, path, init);
  const post = async (body: Record<string, unknown>) => {
    const res = await request(`/api/posts/${SLUG}/comments`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...newReader() },
      body: JSON.stringify(body),
    });
    expect([201, 202]).toContain(res.status);
    return ((await res.json()) as { comment: { id: number } }).comment.id;
  };
  return { overrides, queued, mailbox, deliverQueued, request, post };
}

const statusOf = async (id: number) => (await env.DB.prepare("SELECT status FROM comments WHERE id = ?").bind(id).first<{ status: string }>())?.status;
const linksIn = (text: string) => [...text.matchAll(/https:\/\/billet\.test(\/[^\s"<]+)/g)].map((m) => m[1]);

describe("the author's email for each new comment", () => {
  it("says who wrote what and why it waits, with approve / spam / delete links that ask first, act on POST, once", async () => {
    const m = mailEnv();
    const id = await m.post(uniqueComment({ author_name: "Lectrice pressée", author_email: "lectrice@example.org" }));
    expect(m.queued).toEqual([{ event: "comment.created", channel: "email", comment_id: id, post_slug: SLUG }]);
    await m.deliverQueued();
    expect(m.mailbox).toHaveLength(1);
    const mail = m.mailbox[0];
    expect(mail.to).toBe(AUTHOR);
    expect(mail.from.email).toBe("billet@billet.example");
    expect(mail.subject).toBe(`À modérer : Lectrice pressée sur « Réseaux sociaux, trois ans après » [#${id}]`);
    expect(mail.text).toContain("Retenu pour : first_comment");
    expect(mail.text).not.toContain("lectrice@example.org");
    expect(mail.html).toContain("Publier</a>");
    expect(mail.text).toMatch(/billet-ref:[\w-]+\.[\w-]{43}$/);
    const [approve, spam] = linksIn(mail.text).filter((l) => l.startsWith("/moderate/"));

    // A GET (a mail scanner, a preview) changes nothing: it asks.
    const ask = await m.request(approve);
    expect(ask.status).toBe(200);
    const page = await ask.text();
    expect(page).toContain('<form method="post"');
    expect(page).toContain("Publier le commentaire de Lectrice pressée ?");
    expect(await statusOf(id)).toBe("pending");
    // The button acts, once.
    const done = await m.request(approve, { method: "POST" });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Commentaire publié.");
    expect(await statusOf(id)).toBe("approved");
    expect((await m.request(approve, { method: "POST" })).status).toBe(409);
    // The other links of the same email still work (each once).
    expect((await m.request(spam, { method: "POST" })).status).toBe(200);
    expect(await statusOf(id)).toBe("spam");
    // A forged or altered link does nothing.
    expect((await m.request(`${approve.slice(0, -3)}AAA`, { method: "POST" })).status).toBe(404);
    expect((await m.request("/moderate/nothing-here", { method: "POST" })).status).toBe(404);
    const { entries } = (await (await fetchWith({}, "/api/admin/audit?limit=2", { headers: ADMIN })).json()) as {
      entries: { actor: string; action: string }[];
    };
    expect(entries.map((e) => `${e.actor} ${e.action}`)).toEqual(["link spam", "link approve"]);
  });

  it("sends nothing for spam, and one digest a day instead when EMAIL_NOTIFY is digest", async () => {
    const m = mailEnv({ EMAIL_NOTIFY: "digest" });
    await m.post(uniqueComment({ website: "http://bot.example" }));
    const a = await m.post(uniqueComment({ author_name: "Première" }));
    const b = await m.post(uniqueComment({ author_name: "Seconde" }));
    expect(m.queued).toEqual([]);
    expect(await sendDigest({ ...env, ...m.overrides } as Env)).toBe(true);
    const digest = m.mailbox.at(-1)!;
    expect(digest.subject).toMatch(/^\d+ commentaires attendent votre décision$/);
    expect(digest.text).toContain("Première a écrit :");
    expect(digest.text).toContain("Seconde a écrit :");
    expect(linksIn(digest.text).filter((l) => l.startsWith("/moderate/")).length).toBeGreaterThanOrEqual(6);
    expect([a, b].every(Number.isInteger)).toBe(true);
  });
});

describe("moderating by replying to the email", () => {
  const reply = (from: string, body: string) => {
    let rejected: string | null = null;
    const raw = `From: ${from}\r\nTo: moderation@billet.example\r\nSubject: Re: À modérer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;
    const message = {
      from,
      to: "moderation@billet.example",
      raw: new Response(raw).body!,
      rawSize: raw.length,
      headers: new Headers({ From: from, Subject: "Re: a moderer" }),
      setReject: (reason: string) => {
        rejected = reason;
      },
      forward: async () => ({ messageId: "" }),
      reply: async () => ({ messageId: "" }),
    } as unknown as ForwardableEmailMessage;
    return { message, rejected: () => rejected };
  };

  it("does what the author answers, only from their address and with the notification's reference", async () => {
    const m = mailEnv();
    const id = await m.post(uniqueComment({ author_name: "Douteux" }));
    await m.deliverQueued();
    const ref = /billet-ref:\S+/.exec(m.mailbox[0].text)![0];
    const quoted = m.mailbox[0].text
      .split("\n")
      .map((l) => `> ${l}`)
      .join("\r\n");
    const menv = { ...env, ...m.overrides } as Env;

    // Someone else, even with the reference: refused, nothing changes.
    const stranger = reply("mallory@example.org", `spam\r\n\r\n${quoted}`);
    await worker.email(stranger.message, menv, createExecutionContext());
    expect(stranger.rejected()).toMatch(/author/);
    // The author without the reference: refused.
    const noRef = reply(AUTHOR, "spam");
    await worker.email(noRef.message, menv, createExecutionContext());
    expect(noRef.rejected()).toMatch(/reference/);
    expect(await statusOf(id)).toBe("pending");

    const ok = reply(AUTHOR, `Spam !\r\n\r\nLe 30 nov. à 10:00, billet a écrit :\r\n${quoted}`);
    await worker.email(ok.message, menv, createExecutionContext());
    expect(ok.rejected()).toBeNull();
    expect(await statusOf(id)).toBe("spam");
    const { entries } = (await (await fetchWith({}, "/api/admin/audit?limit=1", { headers: ADMIN })).json()) as {
      entries: { actor: string; comment_ids: number[] }[];
    };
    expect(entries[0]).toMatchObject({ actor: "email-reply", comment_ids: [id] });
    expect(ref).toMatch(/^billet-ref:/);
  });

  it("reads the first word written above the quote", () => {
    expect(commandOf("ok\n> quoted")).toBe("approve");
    expect(commandOf("\n\n  Oui, merci\n")).toBe("approve");
    expect(commandOf("SPAM")).toBe("spam");
    expect(commandOf("supprimer stp")).toBe("delete");
    expect(commandOf("> ok")).toBeNull();
    expect(commandOf("peut-être")).toBeNull();
  });
});

describe("reply notifications for commenters who ask", () => {
  it("asks first (double opt-in), then tells of each published reply, and stops in one click", async () => {
    const m = mailEnv();
    const reader = `suivi-${crypto.randomUUID().slice(0, 6)}@example.org`;
    // Asking without an email is refused on the email field.
    const missing = await expectError(
      await m.request(`/api/posts/${SLUG}/comments`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...newReader() },
        body: JSON.stringify(uniqueComment({ notify_replies: true })),
      }),
      422,
      "validation_failed",
    );
    expect(missing.error.fields).toEqual({ author_email: "required_to_notify" });

    const mine = await m.post(uniqueComment({ author_name: "Suiveuse", author_email: reader, notify_replies: "on" }));
    await fetchWith({}, `/api/admin/comments/${mine}/approve`, { method: "POST", headers: ADMIN });
    await m.deliverQueued();
    const confirmation = m.mailbox.find((x) => x.to === reader)!;
    expect(confirmation.subject).toContain("Confirmez");
    const confirmLink = linksIn(confirmation.text).find((l) => l.startsWith("/subscriptions/confirm/"))!;

    // A reply before the address is confirmed: nothing is sent to it.
    const early = await m.post(uniqueComment({ author_name: "Réponse 1", parent_id: mine }));
    await m.request(`/api/admin/comments/${early}/approve`, { method: "POST", headers: ADMIN });
    m.mailbox.length = 0;
    await m.deliverQueued();
    expect(m.mailbox.filter((x) => x.to === reader)).toEqual([]);

    // Confirmed (a GET asks, the POST confirms), the next published reply is sent.
    expect(await (await m.request(confirmLink)).text()).toContain("Confirmer votre adresse");
    expect((await m.request(confirmLink, { method: "POST" })).status).toBe(200);
    const second = await m.post(uniqueComment({ author_name: "Réponse 2", parent_id: mine }));
    await m.request(`/api/admin/comments/${second}/approve`, { method: "POST", headers: ADMIN });
    await m.deliverQueued();
    const told = m.mailbox.filter((x) => x.to === reader);
    expect(told).toHaveLength(1);
    expect(told[0].subject).toBe("Réponse 2 vous a répondu sur « Réseaux sociaux, trois ans après »");
    expect(told[0].headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const stop = /^<https:\/\/billet\.test(\/subscriptions\/stop\/[^>]+)>$/.exec(told[0].headers!["List-Unsubscribe"])![1];

    // One click from the mail client (RFC 8058), and nothing more is sent for this thread.
    const oneClick = await m.request(stop, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    const third = await m.post(uniqueComment({ author_name: "Réponse 3", parent_id: mine }));
    await m.request(`/api/admin/comments/${third}/approve`, { method: "POST", headers: ADMIN });
    m.mailbox.length = 0;
    await m.deliverQueued();
    expect(m.mailbox.filter((x) => x.to === reader)).toEqual([]);
  });

  it("shows the checkbox on the page only when email is configured", async () => {
    const m = mailEnv();
    const withEmail = await (await m.request(`/posts/${SLUG}/?reply_to=1`)).text();
    expect(withEmail).toContain('<input type="checkbox" id="billet-notify_replies" name="notify_replies" value="on">');
    expect(withEmail).toContain("Prévenez-moi des réponses par e-mail");
    const without = await (await fetchWith({}, `/posts/${SLUG}/?reply_to=1`)).text();
    expect(without).not.toContain("notify_replies");
  });
});
