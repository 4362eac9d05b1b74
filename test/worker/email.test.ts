// Email: the author told of new comments (each, or a digest) with one-click links that work once,
// moderation by replying, and reply notifications for readers who asked and confirmed. The
// send_email binding is replaced by one that keeps the messages, as the queue is.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sendDigest } from "../../workers/mail/daily.ts";
import { commandOf, digestCommandsOf } from "../../workers/mail/inbound.ts";
import worker from "../../workers/index.ts";
import { ADMIN, expectError, fetchWith, newReader, SLUG, uniqueComment } from "./helpers.ts";
import { AUTHOR, mailEnv } from "./mail.ts";

const statusOf = async (id: number) => (await env.DB.prepare("SELECT status FROM comments WHERE id = ?").bind(id).first<{ status: string }>())?.status;
const linksIn = (text: string) => [...text.matchAll(/https:\/\/billet\.test(\/[^\s"<]+)/g)].map((m) => m[1]);

/** An email from `from` to the Worker's address, and the reason it was refused (null when taken). */
function replyTo(from: string, body: string) {
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
}

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
    // Why it waits, in words (never the code), and replies reach the Worker.
    expect(mail.text).toContain("Retenu : premier commentaire de cette personne");
    expect(mail.text + mail.html).not.toContain("first_comment");
    expect(mail.replyTo).toBe("billet@billet.example");
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
    const m = mailEnv({ EMAIL_NOTIFY: "digest", EMAIL_REPLY_TO: "moderation@billet.example" });
    await m.post(uniqueComment({ website: "http://bot.example" }));
    const a = await m.post(uniqueComment({ author_name: "Première" }));
    const b = await m.post(uniqueComment({ author_name: "Seconde" }));
    expect(m.queued).toEqual([]);
    expect(await sendDigest({ ...env, ...m.overrides } as Env)).toBe(true);
    const digest = m.mailbox.at(-1)!;
    expect(digest.subject).toMatch(/^\d+ commentaires attendent votre décision$/);
    // Each comment names its post and why it waits; the author's reply reaches the Worker.
    expect(digest.text).toMatch(/\d+\. Première sur « Réseaux sociaux, trois ans après » :/);
    expect(digest.text).toMatch(/\d+\. Seconde sur « Réseaux sociaux, trois ans après » :/);
    expect(digest.text).toContain("Retenu : premier commentaire de cette personne");
    expect(digest.replyTo).toBe("moderation@billet.example");
    expect(linksIn(digest.text).filter((l) => l.startsWith("/moderate/")).length).toBeGreaterThanOrEqual(6);
    expect([a, b].every(Number.isInteger)).toBe(true);
  });

  it("digest: lists every comment that waits however old, oldest first, and says how many more there are", async () => {
    const m = mailEnv({ EMAIL_NOTIFY: "digest" });
    const old = await m.post(uniqueComment({ author_name: "Oubliée" }));
    await env.DB.prepare("UPDATE comments SET created_at = ? WHERE id = ?")
      .bind(Date.now() - 5 * 86_400_000, old)
      .run();
    expect(await sendDigest({ ...env, ...m.overrides } as Env)).toBe(true);
    expect(m.mailbox.at(-1)!.text).toContain("Oubliée sur « Réseaux sociaux");
    // Past the 50 a digest lists: the oldest 50, and the count of the others.
    const waiting = (await env.DB.prepare("SELECT count(*) AS n FROM comments WHERE status = 'pending'").first<{ n: number }>())!.n;
    const more = 60 - waiting;
    const now = Date.now();
    const insert = env.DB.prepare(
      "INSERT INTO comments (post_slug, author_name, content, html, status, created_at, updated_at) VALUES (?, ?, ?, '<p>x</p>', 'pending', ?, ?)",
    );
    await env.DB.batch(Array.from({ length: more }, (_, i) => insert.bind(SLUG, `En attente ${i}`, `texte ${i}`, now, now)));
    await sendDigest({ ...env, ...m.overrides } as Env);
    const digest = m.mailbox.at(-1)!;
    expect(digest.subject).toBe("60 commentaires attendent votre décision");
    expect(digest.text).toContain("50. ");
    expect(digest.text).not.toContain("51. ");
    expect(digest.text).toContain("10 autres commentaires attendent");
    expect(digest.text).toContain("1. Oubliée");
    await env.DB.prepare("DELETE FROM comments WHERE author_name LIKE 'En attente %'").run();
  });

  it('digest: the author answers by email, "ok 1 3, spam 2", and each numbered comment is decided', async () => {
    const m = mailEnv({ EMAIL_NOTIFY: "digest" });
    // Only these three wait, so the digest numbers them 1, 2, 3.
    await env.DB.prepare("UPDATE comments SET status = 'deleted' WHERE status = 'pending'").run();
    const ids = [
      await m.post(uniqueComment({ author_name: "Un" })),
      await m.post(uniqueComment({ author_name: "Deux" })),
      await m.post(uniqueComment({ author_name: "Trois" })),
    ];
    await sendDigest({ ...env, ...m.overrides } as Env);
    const digest = m.mailbox.at(-1)!;
    expect(digest.text).toMatch(/^1\. Un sur/m);
    expect(digest.text).toMatch(/^3\. Trois sur/m);
    const quoted = digest.text
      .split("\n")
      .map((l) => `> ${l}`)
      .join("\r\n");
    const menv = { ...env, ...m.overrides } as Env;
    // A number the digest does not have: refused, nothing changed, and the reference still works.
    const bad = replyTo(AUTHOR, `supprimer 1 7\r\n\r\n${quoted}`);
    await worker.email(bad.message, menv, createExecutionContext());
    expect(bad.rejected()).toBe("Ce résumé n’a pas de commentaire 7 ; rien n’a changé.");
    expect(await Promise.all(ids.map(statusOf))).toEqual(["pending", "pending", "pending"]);
    const out = replyTo(AUTHOR, `Ok 1 et 3, spam 2\r\n\r\nLe 2 déc. à 10:00, billet a écrit :\r\n${quoted}`);
    await worker.email(out.message, menv, createExecutionContext());
    expect(out.rejected()).toBeNull();
    expect(await Promise.all(ids.map(statusOf))).toEqual(["approved", "spam", "approved"]);
    // A digest's reference works once, as a notification's does.
    const again = replyTo(AUTHOR, `supprimer 1\r\n\r\n${quoted}`);
    await worker.email(again.message, menv, createExecutionContext());
    expect(again.rejected()).toBe("This notification was answered already; nothing was changed.");
    expect(await statusOf(ids[0])).toBe("approved");
  });

  it("digest replies are read as commands and numbers, above the quote only", () => {
    expect(digestCommandsOf("ok 1 3, spam 2\n> 4. x")).toEqual([
      { action: "approve", n: 1 },
      { action: "approve", n: 3 },
      { action: "spam", n: 2 },
    ]);
    expect(digestCommandsOf("Supprimer 12\nLe 30 nov. à 10:00, billet a écrit :\n> ok 5")).toEqual([{ action: "delete", n: 12 }]);
    expect(digestCommandsOf("merci 1 2")).toEqual([]);
    expect(digestCommandsOf("ok")).toEqual([]);
  });
});

describe("one-click links for a comment decided by other means", () => {
  it("says what happened instead of asking again, and the used-link page says its sentence once", async () => {
    const m = mailEnv();
    const id = await m.post(uniqueComment({ author_name: "Déjà vue" }));
    await m.deliverQueued();
    const [approve, spam] = linksIn(m.mailbox.at(-1)!.text).filter((l) => l.startsWith("/moderate/"));
    // Published from the desk meanwhile: the approve link says so, asks nothing, changes nothing.
    await m.request(`/api/admin/comments/${id}/approve`, { method: "POST", headers: ADMIN });
    for (const method of ["GET", "POST"]) {
      const page = await (await m.request(approve, { method })).text();
      expect(page).toContain("Ce commentaire est déjà publié ; rien n’a changé.");
      expect(page).not.toContain("<form");
      expect(page).not.toContain("C’est fait.");
    }
    // The spam link asks, saying where the comment is now.
    const ask = await (await m.request(spam)).text();
    expect(ask).toContain("Il a été publié depuis cet e-mail.");
    expect(ask).toContain('<form method="post"');
    expect((await m.request(spam, { method: "POST" })).status).toBe(200);
    const used = await (await m.request(spam, { method: "POST" })).text();
    expect(used.split("Ce lien a déjà servi ; rien n’a changé.").length - 1).toBe(1);
    expect(used).toContain("<h1>Lien déjà utilisé</h1>");
  });
});

describe("moderating by replying to the email", () => {
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
    const stranger = replyTo("mallory@example.org", `spam\r\n\r\n${quoted}`);
    await worker.email(stranger.message, menv, createExecutionContext());
    expect(stranger.rejected()).toMatch(/author/);
    // The author without the reference: refused.
    const noRef = replyTo(AUTHOR, "spam");
    await worker.email(noRef.message, menv, createExecutionContext());
    expect(noRef.rejected()).toMatch(/reference/);
    expect(await statusOf(id)).toBe("pending");

    const ok = replyTo(AUTHOR, `Spam !\r\n\r\nLe 30 nov. à 10:00, billet a écrit :\r\n${quoted}`);
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
    expect(confirmation.headers?.["List-Unsubscribe"]).toMatch(/^<https:\/\/billet\.test\/subscriptions\/stop\//);
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
    // The mail client's one click stops all mail to the address, not only this thread.
    expect(await env.DB.prepare("SELECT count(*) AS n FROM subscriptions WHERE email = ?").bind(reader).first("n")).toBe(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM subscribers WHERE email = ?").bind(reader).first("n")).toBe(0);
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
