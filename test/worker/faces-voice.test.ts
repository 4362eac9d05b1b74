// Faces drawn by billet (no tracker, no email hash), the author's voice (a badge only a signed-in
// path can give), and the words right (a closed post without comments, "1er janvier").
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../workers/index.ts";
import { replyTextOf } from "../../workers/mail/inbound.ts";
import { renderCommentsSection, type SectionInput } from "../../workers/render/comments.ts";
import { identiconSvg } from "../../workers/render/faces.ts";
import { firstOfMonth, formatDateTime } from "../../workers/render/html.ts";
import { within } from "../time-limit.ts";
import { ADMIN, approve, call, expectError, fetchWith, postJson, SLUG, uniqueComment } from "./helpers.ts";
import { AUTHOR, mailEnv } from "./mail.ts";

const PAGE = `/posts/${SLUG}/`;
type Author = { name: string; url: string | null; avatar: string | null; is_author: boolean };
type PublicComment = { id: number; parent_id: number | null; author: Author };

async function postApproved(extra: Record<string, unknown>): Promise<number> {
  const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment(extra));
  expect([201, 202]).toContain(res.status);
  const id = ((await res.json()) as { comment: { id: number } }).comment.id;
  await approve(id);
  return id;
}

async function allComments(): Promise<PublicComment[]> {
  const res = await call(`/api/posts/${SLUG}/comments?limit=200`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { comments: PublicComment[] }).comments;
}

/** Each comment's <li> on the page, by id. */
function itemsOf(html: string): Map<number, string> {
  const out = new Map<number, string>();
  const parts = html.split(/(?=<li id="comment-\d+")/);
  for (const part of parts.slice(1)) out.set(Number(/^<li id="comment-(\d+)"/.exec(part)![1]), part.split(/<ol class="comment-replies">/)[0]);
  return out;
}

const faceIn = (li: string) => /<img class="comment-avatar" src="([^"]+)"/.exec(li)?.[1] ?? null;

async function digests(text: string): Promise<string[]> {
  const out: string[] = [];
  for (const algorithm of ["SHA-256", "MD5", "SHA-1"]) {
    const bytes = new Uint8Array(await crypto.subtle.digest(algorithm, new TextEncoder().encode(text)));
    out.push([...bytes].map((b) => b.toString(16).padStart(2, "0")).join(""));
    out.push(btoa(String.fromCharCode(...bytes)).replace(/=+$/, ""));
    out.push(
      btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, ""),
    );
  }
  return out;
}

describe("faces", () => {
  it("serves a face for any key, the same forever, and nothing for another name", async () => {
    const key = "0123456789abcdef0123";
    const res = await call(`/avatars/${key}.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    const svg = await res.text();
    expect(svg).toBe(await (await call(`/avatars/${key}.svg`)).text());
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/);
    expect(svg).not.toMatch(/<script|href|url\(|<style/i);
    const again = await call(`/avatars/${key}.svg`, { headers: { "If-None-Match": res.headers.get("ETag")! } });
    expect(again.status).toBe(304);
    for (const bad of ["0123456789ABCDEF0123.svg", "0123456789abcdef012.svg", `${key}.png`, `${key}`, "..%2f..%2fsecret.svg"]) {
      expect((await call(`/avatars/${bad}`)).status, bad).toBe(404);
    }
  });

  it("draws distinct faces for distinct keys (500 keys), each with a visible pattern", { timeout: within(1_000) }, () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{20}$/), { minLength: 500, maxLength: 500 }), (keys) => {
        const svgs = keys.map(identiconSvg);
        expect(new Set(svgs).size).toBe(keys.length);
        for (const svg of svgs) expect((svg.match(/h1v1h-1z/g) ?? []).length).toBeGreaterThanOrEqual(4);
      }),
      { numRuns: 3, seed: 14 },
    );
  });

  it("gives every comment on the page a face of the site's, one per commenter, agreeing with the JSON and the JSON-LD, and no email hash anywhere", {
    timeout: within(1_500),
  }, async () => {
    const email = `Visage.${crypto.randomUUID().slice(0, 8)}@Example.org`;
    const a1 = await postApproved({ author_name: "Visage", author_email: email });
    // The same address in other case, under another name: the same face.
    const a2 = await postApproved({ author_name: "Visage bis", author_email: email.toLowerCase() });
    const other = await postApproved({ author_name: "Autre", author_email: `autre.${crypto.randomUUID().slice(0, 8)}@example.org` });
    // Without an email: from the name.
    const n1 = await postApproved({ author_name: `Sans adresse ${crypto.randomUUID().slice(0, 6)}` });
    const n2 = await postApproved({ author_name: `Sans adresse ${crypto.randomUUID().slice(0, 6)}` });
    const res = await call(PAGE);
    expect(res.status).toBe(200);
    const html = await res.text();
    const items = itemsOf(html);
    // Every comment shown, seed (imported) ones too, has a face served by the site.
    expect(items.size).toBeGreaterThanOrEqual(11);
    for (const [id, li] of items) expect(faceIn(li), `comment ${id}`).toMatch(/^\/avatars\/[0-9a-f]{20}\.svg$/);
    expect(faceIn(items.get(a1)!)).toBe(faceIn(items.get(a2)!));
    const distinct = [a1, other, n1, n2].map((id) => faceIn(items.get(id)!));
    expect(new Set(distinct).size).toBe(4);
    // No image from elsewhere.
    for (const [, src] of html.matchAll(/<img[^>]+src="([^"]+)"/g)) expect(src.startsWith("/")).toBe(true);

    const json = await allComments();
    for (const c of json) if (items.has(c.id)) expect(c.author.avatar).toBe(faceIn(items.get(c.id)!));
    expect(json.find((c) => c.id === a1)!.author).toMatchObject({ is_author: false });

    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html.slice(html.indexOf('<section id="comments"')))![1]) as {
      "@graph": { comment?: { url: string; author: { image?: string } }[] }[];
    };
    const told = ld["@graph"][0].comment!;
    const toldA1 = told.find((c) => c.url.endsWith(`#comment-${a1}`))!;
    expect(toldA1.author.image).toBe(`https://billet.example.com${faceIn(items.get(a1)!)}`);

    const answers = [html, JSON.stringify(json)];
    for (const variant of [email, email.toLowerCase()]) {
      for (const digest of await digests(variant)) for (const text of answers) expect(text).not.toContain(digest);
      for (const text of answers) expect(text.toLowerCase()).not.toContain(variant.toLowerCase());
    }
  });
});

describe("the author's voice", () => {
  it("publishes the author's reply from the admin page at once, with the badge in the page, the JSON, the feeds and the JSON-LD", {
    timeout: within(1_000),
  }, async () => {
    // A comment that waits: answering it publishes it.
    const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment({ author_name: "Question" }));
    expect(res.status).toBe(202);
    const question = ((await res.json()) as { comment: { id: number } }).comment.id;
    const reply = await call(`/api/admin/comments/${question}/reply`, {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ content: "Merci, *bonne* question." }),
    });
    expect(reply.status).toBe(201);
    const { comment } = (await reply.json()) as { comment: PublicComment & { html: string } };
    expect(comment).toMatchObject({ parent_id: question, author: { name: "Arnaud", is_author: true } });
    expect(comment.author.avatar).toMatch(/^\/avatars\/[0-9a-f]{20}\.svg$/);

    const json = await allComments();
    expect(json.find((c) => c.id === question)).toBeDefined();
    expect(json.find((c) => c.id === comment.id)!.author.is_author).toBe(true);

    const html = await (await call(PAGE)).text();
    const li = itemsOf(html).get(comment.id)!;
    expect(li).toContain("comment--by-author");
    expect(li).toContain('<span class="comment-badge">Auteur</span>');
    expect(itemsOf(html).get(question)!).not.toContain("comment-badge");
    const ld = html.slice(html.lastIndexOf('<script type="application/ld+json">'));
    expect(ld).toContain(`"author":{"@type":"Person","@id":"https://billet.example.com/#author","name":"Arnaud"`);

    for (const feed of [`/posts/${SLUG}/comments.xml`, "/comments.xml"]) {
      const xml = await (await call(feed)).text();
      const entry = xml.split("<entry>").find((e) => e.includes(`#comment-${comment.id}<`))!;
      expect(entry, feed).toContain('<category term="author" label="Auteur"/>');
      expect(entry).toMatch(/<title>[^<]*\(Auteur\)<\/title>/);
    }
  });

  it("refuses an admin reply without the token, to a comment that is not there, or empty", async () => {
    const send = (id: number | string, body: unknown, headers: Record<string, string> = ADMIN) =>
      call(`/api/admin/comments/${id}/reply`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    await expectError(await send(1, { content: "x" }, {}), 401, "unauthorized");
    await expectError(await send(999999, { content: "Bonjour" }), 404, "comment_not_found");
    const empty = await expectError(await send(1, { content: "   " }), 422, "validation_failed");
    expect(empty.error.fields).toHaveProperty("content");
    await expectError(await send(1, {}), 422, "validation_failed");
    await expectError(
      await call("/api/admin/comments/1/reply", { method: "POST", headers: { ...ADMIN, "Content-Type": "text/plain" }, body: "x" }),
      415,
      "unsupported_media_type",
    );
  });

  it("gives no badge to a reader who types the author's name, or asks for it without being signed in", async () => {
    const asked = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment({ author_name: "Arnaud", as_author: true }));
    await expectError(asked, 403, "forbidden");
    const typed = await postApproved({ author_name: "Arnaud", is_author: true, by_author: true });
    const json = await allComments();
    expect(json.find((c) => c.id === typed)!.author.is_author).toBe(false);
    const li = itemsOf(await (await call(PAGE)).text()).get(typed)!;
    expect(li).not.toContain("comment-badge");
    // Not the author's face either.
    const authorFace = json.find((c) => c.author.is_author)?.author.avatar;
    if (authorFace) expect(faceIn(li)).not.toBe(authorFace);
    // A cookie of another name, or forged, is nobody.
    const forged = await call("/api/author", { headers: { Cookie: "billet_author=eyJhIjoidG9rZW4ifQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } });
    expect(await forged.json()).toEqual({ author: false });
  });

  it("lets the signed-in author post from the page with the badge (the author's cookie), until the admin token changes", {
    timeout: within(1_000),
  }, async () => {
    expect(await (await call("/api/author")).json()).toEqual({ author: false });
    await expectError(await call("/api/admin/session", { method: "POST" }), 401, "unauthorized");
    const session = await call("/api/admin/session", { method: "POST", headers: ADMIN });
    expect(session.status).toBe(200);
    const [setCookie, hint] = session.headers.getSetCookie();
    expect(setCookie).toMatch(/^billet_author=[\w-]+\.[\w-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
    // The widget's hint proves nothing (the forged-cookie case above); it only saves readers a request.
    expect(hint).toMatch(/^billet_author_hint=1; Path=\/; Max-Age=\d+; SameSite=Lax; Secure$/);
    const cookie = setCookie.split(";")[0];
    expect(await (await call("/api/author", { headers: { Cookie: cookie } })).json()).toEqual({ author: true });

    const res = await postJson(
      `/api/posts/${SLUG}/comments`,
      { author_name: "ignoré", content: `Le mot de l’auteur ${crypto.randomUUID()}`, as_author: true, parent_id: 2 },
      { Cookie: cookie },
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as { comment: PublicComment; status: string };
    expect(body.status).toBe("approved");
    expect(body.comment).toMatchObject({ parent_id: 2, author: { name: "Arnaud", is_author: true } });
    // A new thread too, from the no-JS form's checkbox.
    const form = await call(`/api/posts/${SLUG}/comments`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, "CF-Connecting-IP": "2001:db8:ffff::1" },
      body: new URLSearchParams({ author_name: "x", content: `Un fil de l’auteur ${crypto.randomUUID()}`, as_author: "on" }).toString(),
    });
    expect(form.status).toBe(303);

    // Another admin token: the cookie no longer makes anyone the author.
    const after = await fetchWith({ ADMIN_TOKEN: "another-admin-token-1234" }, "/api/author", { headers: { Cookie: cookie } });
    expect(await after.json()).toEqual({ author: false });
    const out = await call("/api/admin/session", { method: "DELETE" });
    expect(out.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^billet_author=; Path=\/; Max-Age=0/),
      expect.stringMatching(/^billet_author_hint=1; Path=\/; Max-Age=0/),
    ]);
  });

  it("publishes the author's answer to a notification email (reply: …) with the badge, once", { timeout: within(1_000) }, async () => {
    const m = mailEnv();
    const id = await m.post(uniqueComment({ author_name: "Par courriel" }));
    await m.deliverQueued();
    const note = m.mailbox.find((x) => x.to === AUTHOR)!;
    expect(note.text).toContain("reply:");
    const quoted = note.text
      .split("\n")
      .map((l) => `> ${l}`)
      .join("\r\n");
    const answer = `Réponse du ${crypto.randomUUID().slice(0, 8)}`;
    const mail = (body: string) => {
      let rejected: string | null = null;
      const raw = `From: ${AUTHOR}\r\nTo: moderation@billet.example\r\nSubject: Re: [#${id}]\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;
      const message = {
        from: AUTHOR,
        to: "moderation@billet.example",
        raw: new Response(raw).body!,
        rawSize: raw.length,
        headers: new Headers({ From: AUTHOR }),
        setReject: (reason: string) => {
          rejected = reason;
        },
      } as unknown as ForwardableEmailMessage;
      return { message, rejected: () => rejected };
    };
    const menv = { ...env, ...m.overrides } as Env;
    const first = mail(`reply: ${answer}\r\nÀ bientôt.\r\n\r\nLe 2 déc. 2026 à 10:00, billet a écrit :\r\n${quoted}`);
    await worker.email(first.message, menv, createExecutionContext());
    expect(first.rejected()).toBeNull();
    const row = await env.DB.prepare("SELECT status, by_author, content, author_name FROM comments WHERE parent_id = ? ORDER BY id DESC").bind(id).first<{
      status: string;
      by_author: number;
      content: string;
      author_name: string;
    }>();
    expect(row).toEqual({ status: "approved", by_author: 1, content: `${answer}\nÀ bientôt.`, author_name: "Arnaud" });
    expect((await env.DB.prepare("SELECT status FROM comments WHERE id = ?").bind(id).first<{ status: string }>())!.status).toBe("approved");
    // The same reference again: refused, nothing added.
    const second = mail(`reply: autre chose\r\n\r\n${quoted}`);
    await worker.email(second.message, menv, createExecutionContext());
    expect(second.rejected()).toMatch(/already/);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM comments WHERE parent_id = ?").bind(id).first<{ n: number }>())!.n).toBe(1);
  });

  it("reads the answer after reply: up to the quote or the signature", () => {
    expect(replyTextOf("reply: Merci !\n> cité")).toBe("Merci !");
    expect(replyTextOf("\n  Réponse : deux\nlignes\n\nOn Tue, Dec 2, 2026, billet wrote:\n> x")).toBe("deux\nlignes");
    expect(replyTextOf("répondre: oui\n-- \nArnaud")).toBe("oui");
    expect(replyTextOf("ok\nreply: non")).toBeNull();
    expect(replyTextOf("reply:\n> rien")).toBeNull();
    expect(replyTextOf("> reply: cité seulement")).toBeNull();
  });
});

describe("words right", () => {
  const section = (open: boolean, comments: SectionInput["comments"] = []) =>
    renderCommentsSection({ slug: SLUG, lang: "fr", timeZone: "Europe/Paris", open, comments, total: comments.length, firstNumber: 1, page: 1, pageCount: 1 });

  it("says only that comments are closed on a closed post without comments", () => {
    const closed = section(false);
    expect(closed).toContain("Les commentaires sont fermés pour ce billet.");
    expect(closed).not.toContain("Soyez le premier");
    expect(closed).not.toContain("no-comments");
    expect(section(true)).toContain("Pas encore de réaction. Soyez le premier ou la première !");
    expect(
      renderCommentsSection({
        ...({} as SectionInput),
        slug: SLUG,
        lang: "en",
        timeZone: "UTC",
        open: false,
        comments: [],
        total: 0,
        firstNumber: 1,
        page: 1,
        pageCount: 1,
      }),
    ).not.toContain("No comments yet");
  });

  it("writes the first of the month « 1er » in French dates, and only there", () => {
    const paris = (iso: string, lang = "fr") => formatDateTime(Date.parse(iso), lang, "Europe/Paris");
    expect(paris("2026-01-01T10:00:00Z")).toBe("1er janvier 2026 à 11:00");
    expect(paris("2026-01-11T10:00:00Z")).toBe("11 janvier 2026 à 11:00");
    expect(paris("2026-01-21T10:00:00Z")).toBe("21 janvier 2026 à 11:00");
    expect(paris("2026-03-31T10:00:00Z")).toMatch(/^31 mars 2026/);
    expect(paris("2026-01-01T10:00:00Z", "en")).toMatch(/^January 1, 2026/);
    expect(firstOfMonth("1 janv. 2026, 10:15", "fr")).toBe("1er janv. 2026, 10:15");
    expect(firstOfMonth("1 janvier 2026", "fr-CA")).toBe("1er janvier 2026");
    expect(firstOfMonth("le 1 mai", "fr")).toBe("le 1er mai");
    // Every day of a year: only the 1st changes.
    for (let d = 0; d < 366; d++) {
      const at = Date.UTC(2024, 0, 1, 12) + d * 86_400_000;
      const text = formatDateTime(at, "fr", "UTC");
      expect(text.startsWith("1er ")).toBe(new Date(at).getUTCDate() === 1);
      expect(text).not.toMatch(/\d1er/);
    }
  });

  it("shows « 1er » on the page for a comment written on the first of a month", async () => {
    const at = Date.parse("2025-05-01T08:00:00Z");
    const { id } = (await env.DB.prepare(
      "INSERT INTO comments (post_slug, author_name, content, html, status, created_at, updated_at) VALUES (?, 'Premier mai', 'm', '<p>m</p>', 'approved', ?, ?) RETURNING id",
    )
      .bind(SLUG, at, at)
      .first<{ id: number }>())!;
    const li = itemsOf(await (await call(PAGE)).text()).get(id)!;
    expect(li).toContain(">1er mai 2025 à 10:00</time>");
  });
});

describe("faces from Libravatar or Gravatar (AVATARS, off by default)", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("fetches the commenter's picture through the Worker, keeps it, falls back to the identicon, and never shows the email's hash", {
    timeout: within(1500),
  }, async () => {
    const email = `Photo.${crypto.randomUUID().slice(0, 8)}@example.org`;
    const id = await postApproved({ author_name: "Photo", author_email: email });
    const remote = { AVATARS: "libravatar" };
    const html = await (await fetchWith(remote, PAGE)).text();
    const src = faceIn(itemsOf(html).get(id)!)!;
    expect(src).toMatch(/^\/avatars\/[0-9a-f]{20}-[\w-]{80}$/);
    // The same commenter in the JSON; a commenter without an email keeps an identicon.
    const list = (await (await fetchWith(remote, `/api/posts/${SLUG}/comments?limit=200`)).json()) as { comments: PublicComment[] };
    expect(list.comments.find((c) => c.id === id)!.author.avatar).toBe(src);
    const [sha256Hex] = await digests(email.toLowerCase());
    for (const digest of await digests(email.toLowerCase())) {
      expect(html).not.toContain(digest);
      expect(JSON.stringify(list)).not.toContain(digest);
    }

    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const spy = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response(png, { headers: { "Content-Type": "image/png" } }));
    const picture = await fetchWith(remote, src);
    expect(picture.status).toBe(200);
    expect(picture.headers.get("Content-Type")).toBe("image/png");
    expect(new Uint8Array(await picture.arrayBuffer())).toEqual(png);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(String(spy.mock.calls[0][0])).toBe(`https://seccdn.libravatar.org/avatar/${sha256Hex}?s=80&d=404`);
    // Kept: the site is not asked again.
    expect((await fetchWith(remote, src)).headers.get("Content-Type")).toBe("image/png");
    expect(spy).toHaveBeenCalledTimes(1);

    // Someone without a picture there (404), or a site that answers with an SVG: the identicon.
    const other = await postApproved({ author_name: "Sans photo", author_email: `sans.${crypto.randomUUID().slice(0, 8)}@example.org` });
    const otherSrc = faceIn(itemsOf(await (await fetchWith(remote, PAGE)).text()).get(other)!)!;
    spy.mockResolvedValue(new Response("<svg/>", { status: 200, headers: { "Content-Type": "image/svg+xml" } }));
    const fallback = await fetchWith(remote, otherSrc);
    expect(fallback.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(await fallback.text()).toBe(identiconSvg(otherSrc.slice(9, 29)));
    // A sealed part that was not sealed here, or tampered with: nothing.
    const tampered = `${src.slice(0, -3)}${src.endsWith("AAA") ? "BBB" : "AAA"}`;
    expect((await fetchWith(remote, tampered)).status).toBe(404);
    // Turned off again: the same address draws the identicon, without asking anyone.
    spy.mockClear();
    const off = await call(src);
    expect(off.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(spy).not.toHaveBeenCalled();
  });
});
