// billet's emails, through Cloudflare Email Service (the `EMAIL` send_email binding): new comments
// to the author (one each, or a daily digest), with signed one-click links and a reference that an
// email reply can answer; and, for readers who asked and confirmed, replies to their comments.
import { signLink } from "../auth/tokens.ts";
import type { CommentRow } from "../db/schema.ts";
import { threadPagePath } from "../render/addresses.ts";
import { escapeHtml } from "../render/html.ts";
import { emailStrings } from "../render/emails.ts";
import type { PostRecord } from "../store/posts.ts";
import site from "../../content/site.json";

export const MODERATION_LINK_TTL_MS = 7 * 86_400_000;
const REFERENCE_TTL_MS = 30 * 86_400_000;
export const CONFIRM_TTL_MS = 7 * 86_400_000;
const STOP_TTL_MS = 10 * 365 * 86_400_000;

export interface EmailSettings {
  from: string;
  /** The author's address: new comments go there, and only replies from it moderate. */
  author: string | null;
  mode: "each" | "digest" | "off";
  /** Where the author's replies go: the address Email Routing sends to this Worker (EMAIL_REPLY_TO, else EMAIL_FROM). */
  replyTo: string;
  /** The site's public address, for links. */
  base: string;
  lang: string;
}

/** Email is on when the binding and a sender are configured (wrangler.toml [vars] EMAIL_FROM). */
export function emailSettings(env: Env): EmailSettings | null {
  if (!env.EMAIL || !env.EMAIL_FROM) return null;
  const mode = env.EMAIL_NOTIFY === "digest" || env.EMAIL_NOTIFY === "off" ? env.EMAIL_NOTIFY : "each";
  return {
    from: env.EMAIL_FROM,
    author: env.AUTHOR_EMAIL ? env.AUTHOR_EMAIL.toLowerCase() : null,
    mode,
    replyTo: env.EMAIL_REPLY_TO || env.EMAIL_FROM,
    base: (env.PUBLIC_URL || site.url).replace(/\/+$/, ""),
    lang: site.lang,
  };
}

export type Message = {
  from: { name: string; email: string };
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
};

function envelope(settings: EmailSettings, to: string, subject: string, text: string, html: string, headers?: Record<string, string>): Message {
  const body = `<!doctype html><html lang="${escapeHtml(settings.lang)}"><body style="font-family: Georgia, serif; line-height: 1.5; max-width: 40rem; margin: 0 auto; padding: 1rem; color: #222">${html}</body></html>`;
  return { from: { name: site.title, email: settings.from }, to, subject, text, html: body, headers };
}

/** The author's emails: a reply reaches the Worker (moderation by email). */
const toAuthor = (message: Message, settings: EmailSettings): Message => ({ ...message, replyTo: settings.replyTo });

const button = (href: string, label: string) =>
  `<a href="${escapeHtml(href)}" style="display: inline-block; margin: 0 0.5rem 0.5rem 0; padding: 0.5rem 1rem; border: 1px solid #555; border-radius: 4px; color: #222; text-decoration: none">${escapeHtml(label)}</a>`;

const quote = (c: CommentRow) => `<blockquote style="margin: 1rem 0; padding-left: 1rem; border-left: 3px solid #ccc">${c.html}</blockquote>`;

/** The reference an email reply must keep for the author's answer to act on the comment. */
export const REFERENCE = /billet-ref:([\w-]{1,2000}\.[\w-]{43})/;
/** Every reference in a text. */
export const REFERENCES = new RegExp(REFERENCE.source, "g");

async function moderationLinks(env: Env, settings: EmailSettings, c: CommentRow) {
  const link = async (action: "approve" | "spam" | "delete") =>
    `${settings.base}/moderate/${await signLink(env, "moderate", { c: c.id, a: action, n: crypto.randomUUID() }, MODERATION_LINK_TTL_MS)}`;
  return { approve: await link("approve"), spam: await link("spam"), delete: await link("delete") };
}

/** The author's email for a new comment: what, who, why it waits, and three one-click decisions. */
export async function newCommentEmail(env: Env, settings: EmailSettings, c: CommentRow, post: Pick<PostRecord, "title"> | null): Promise<Message | null> {
  if (!settings.author) return null;
  const s = emailStrings(settings.lang);
  const title = post?.title ?? c.postSlug;
  const waiting = c.status === "pending";
  const page = `${settings.base}${threadPagePath(c.postSlug)}#comment-${c.id}`;
  const links = await moderationLinks(env, settings, c);
  // Its own nonce: each notification's reference is its own, used once (inbound.ts records it).
  const ref = `billet-ref:${await signLink(env, "reply-ref", { c: c.id, n: crypto.randomUUID() }, REFERENCE_TTL_MS)}`;
  const held = waiting && c.heldFor ? s.heldFor(c.heldFor) : "";
  const text = [
    s.wrote(c.authorName),
    "",
    c.content,
    "",
    held,
    `${s.approve}${s.colon}${links.approve}`,
    `${s.spam}${s.colon}${links.spam}`,
    `${s.delete}${s.colon}${links.delete}`,
    `${s.view}${s.colon}${page}`,
    "",
    s.linkValid,
    s.replyHint,
    ref,
  ]
    .filter((line, i, all) => line !== "" || all[i - 1] !== "")
    .join("\n");
  const html = [
    `<p>${escapeHtml(s.wrote(c.authorName))}</p>`,
    quote(c),
    held ? `<p>${escapeHtml(held)}</p>` : "",
    `<p>${button(links.approve, s.approve)}${button(links.spam, s.spam)}${button(links.delete, s.delete)}</p>`,
    `<p><a href="${escapeHtml(page)}">${escapeHtml(s.view)}</a></p>`,
    `<p style="color: #666; font-size: 0.9em">${escapeHtml(s.linkValid)} ${escapeHtml(s.replyHint)}<br>${escapeHtml(ref)}</p>`,
  ].join("");
  return toAuthor(envelope(settings, settings.author, `${s.newComment(c.authorName, title, waiting)} [#${c.id}]`, text, html), settings);
}

/**
 * The daily digest: every comment that waits, however old (the oldest first, up to `waiting`'s
 * length; `total` says how many wait in all), each numbered, with its post, why it waits, and its
 * one-click decisions. One signed reference for all lets the author answer by email
 * ("ok 1 3, spam 2"): the numbers are the comments' places in this digest.
 */
export async function digestEmail(
  env: Env,
  settings: EmailSettings,
  waiting: CommentRow[],
  total: number,
  posts: Map<string, PostRecord | null>,
): Promise<Message | null> {
  if (!settings.author || !waiting.length) return null;
  const s = emailStrings(settings.lang);
  const parts = await Promise.all(
    waiting.map(async (c, i) => {
      const links = await moderationLinks(env, settings, c);
      const head = s.digestItem(i + 1, c.authorName, posts.get(c.postSlug)?.title ?? c.postSlug);
      const held = c.heldFor ? s.heldFor(c.heldFor) : "";
      const page = `${settings.base}${threadPagePath(c.postSlug)}#comment-${c.id}`;
      return {
        text: [
          head,
          c.content,
          held,
          `${s.approve}${s.colon}${links.approve}`,
          `${s.spam}${s.colon}${links.spam}`,
          `${s.delete}${s.colon}${links.delete}`,
          `${s.view}${s.colon}${page}`,
        ]
          .filter(Boolean)
          .join("\n"),
        html: `<h2 style="font-size: 1em">${escapeHtml(head)}</h2>${quote(c)}${held ? `<p>${escapeHtml(held)}</p>` : ""}<p>${button(links.approve, s.approve)}${button(links.spam, s.spam)}${button(links.delete, s.delete)}</p><p><a href="${escapeHtml(page)}">${escapeHtml(s.view)}</a></p><hr>`,
      };
    }),
  );
  const ref = `billet-ref:${await signLink(env, "reply-ref", { d: waiting.map((c) => c.id).join(".") }, REFERENCE_TTL_MS)}`;
  const more = total > waiting.length ? s.digestMore(total - waiting.length, `${settings.base}/admin/`) : "";
  const subject = s.digest(total);
  const text = [parts.map((p) => p.text).join("\n\n---\n\n"), more, s.linkValid, s.digestReplyHint, ref].filter(Boolean).join("\n\n");
  const html = `<h1 style="font-size: 1.2em">${escapeHtml(subject)}</h1>${parts.map((p) => p.html).join("")}${more ? `<p>${escapeHtml(more)}</p>` : ""}<p style="color: #666; font-size: 0.9em">${escapeHtml(s.linkValid)} ${escapeHtml(s.digestReplyHint)}<br>${escapeHtml(ref)}</p>`;
  return toAuthor(envelope(settings, settings.author, subject, text, html), settings);
}

/** RFC 8058 one-click: a mail client's "unsubscribe" stops all mail to the address, not one thread. */
const unsubscribe = (stopAll: string) => ({ "List-Unsubscribe": `<${stopAll}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });

/** Double opt-in, per thread: before any reply is sent for a thread, the address confirms it wants them. */
export async function confirmationEmail(env: Env, settings: EmailSettings, email: string, commentId?: number): Promise<Message> {
  const s = emailStrings(settings.lang);
  const payload: Record<string, string | number> = commentId === undefined ? { m: email } : { m: email, c: commentId };
  const confirm = `${settings.base}/subscriptions/confirm/${await signLink(env, "confirm", payload, CONFIRM_TTL_MS)}`;
  const stopAll = `${settings.base}/subscriptions/stop/${await signLink(env, "stop", { m: email }, STOP_TTL_MS)}`;
  return envelope(
    settings,
    email,
    s.confirmSubject(site.title),
    `${s.confirmBody(site.title)}\n\n${s.confirm}${s.colon}${confirm}\n\n${s.stopAll}${s.colon}${stopAll}`,
    `<p>${escapeHtml(s.confirmBody(site.title))}</p><p>${button(confirm, s.confirm)}</p><p style="color: #666; font-size: 0.9em"><a href="${escapeHtml(stopAll)}">${escapeHtml(s.stopAll)}</a></p>`,
    unsubscribe(stopAll),
  );
}

/** A reply to a reader's comment, with a way to stop for this thread or for everything (RFC 8058 one-click). */
export async function replyEmail(
  env: Env,
  settings: EmailSettings,
  email: string,
  reply: CommentRow,
  followed: CommentRow,
  post: Pick<PostRecord, "title"> | null,
): Promise<Message> {
  const s = emailStrings(settings.lang);
  const title = post?.title ?? reply.postSlug;
  const page = `${settings.base}${threadPagePath(reply.postSlug)}#comment-${reply.id}`;
  const stopThread = `${settings.base}/subscriptions/stop/${await signLink(env, "stop", { m: email, c: followed.id }, STOP_TTL_MS)}`;
  const stopAll = `${settings.base}/subscriptions/stop/${await signLink(env, "stop", { m: email }, STOP_TTL_MS)}`;
  return envelope(
    settings,
    email,
    s.replySubject(reply.authorName, title),
    `${s.replyBody(reply.authorName)}\n\n${reply.content}\n\n${s.view}${s.colon}${page}\n\n${s.stopThread}${s.colon}${stopThread}\n${s.stopAll}${s.colon}${stopAll}`,
    `<p>${escapeHtml(s.replyBody(reply.authorName))}</p>${quote(reply)}<p><a href="${escapeHtml(page)}">${escapeHtml(s.view)}</a></p><p style="color: #666; font-size: 0.9em"><a href="${escapeHtml(stopThread)}">${escapeHtml(s.stopThread)}</a> · <a href="${escapeHtml(stopAll)}">${escapeHtml(s.stopAll)}</a></p>`,
    unsubscribe(stopAll),
  );
}

export async function send(env: Env, message: Message): Promise<void> {
  await env.EMAIL.send(message);
}
