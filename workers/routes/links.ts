// What the links in billet's emails open: a small page that asks, and a button that acts (a GET
// never changes anything, so mail scanners that follow links do no harm). One-click moderation
// works once; confirming and stopping reply notifications; RFC 8058 one-click unsubscribe.
import { mailTag, ownCookie, readOwnCookie, verifyLink } from "../auth/tokens.ts";
import { openDb } from "../db/comments.ts";
import * as desk from "../db/desk.ts";
import { ApiError } from "../http/answers.ts";
import { decide } from "../moderation/decisions.ts";
import { escapeHtml } from "../render/html.ts";
import { CONFIRM_TTL_MS } from "../mail/email.ts";
import { emailStrings, linkPage } from "../render/emails.ts";
import site from "../../content/site.json";

type Params = { params: Record<string, string> };

function page(status: number, title: string, body: string, form?: { action: string; button: string }): Response {
  const html = linkPage({ lang: site.lang, siteTitle: site.title, title, body, form });
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } });
}

const s = emailStrings(site.lang);
const said = (text: string) => `<p>${escapeHtml(text)}</p>`;
const invalid = () => page(404, s.pageInvalidTitle, said(s.pageInvalid));
const TARGET: Record<string, string> = { approve: "approved", spam: "spam", delete: "deleted" };

// GET|POST /moderate/:token — approve, spam or delete one comment from the author's email.
export async function moderateLink(request: Request & Params, env: Env): Promise<Response> {
  const token = request.params.token;
  const link = await verifyLink<{ c: number; a: string; n: string }>(env, "moderate", token);
  if (!link || !["approve", "spam", "delete"].includes(link.a)) return invalid();
  const db = openDb(env.DB);
  const { comment, used } = await desk.linkAndComment(db, link.n, link.c);
  if (!comment || comment.status === "purged") return page(404, s.pageMissingTitle, said(s.pageMissing));
  const label = link.a === "approve" ? s.approve : link.a === "spam" ? s.spam : s.delete;
  if (used) return page(409, s.pageUsedTitle, said(s.pageUsed));
  // Decided by other means since the email (the desk, a reply, another link): say so, change nothing.
  if (comment.status === TARGET[link.a]) return page(200, s.pageAlreadyTitle, said(s.already[link.a]));
  if (request.method !== "POST") {
    const since = s.nowIs[comment.status] ? said(s.nowIs[comment.status]) : "";
    return page(
      200,
      s.pageConfirmTitle,
      `${since}${said(s.confirmAction(label, comment.authorName))}<blockquote class="link-quote">${comment.html}</blockquote>`,
      {
        action: `/moderate/${token}`,
        button: label,
      },
    );
  }
  try {
    await decide(env, "link", [comment.id], link.a, [desk.useLinkStatement(db, link.n, Date.now())], [comment]);
  } catch (err) {
    if (err instanceof ApiError && err.code === "link_used") return page(409, s.pageUsedTitle, said(s.pageUsed));
    if (err instanceof ApiError && err.code === "duplicate_comment") return page(409, s.pageUnchangedTitle, said(s.pageDuplicate));
    throw err;
  }
  return page(200, s.pageDone, said(s.done[link.a]));
}

// GET|POST /subscriptions/confirm/:token — the reader confirms one thread's reply emails (double
// opt-in, per thread). The browser that confirms is given the proof of the address in its cookie:
// from it, following another thread needs no new email.
export async function confirmLink(request: Request & Params, env: Env): Promise<Response> {
  const link = await verifyLink<{ m: string; c?: number; e: number }>(env, "confirm", request.params.token);
  if (!link) return invalid();
  if (request.method !== "POST")
    return page(200, s.pageConfirmTitle, said(s.confirmSubscription), { action: `/subscriptions/confirm/${request.params.token}`, button: s.confirm });
  const which = typeof link.c === "number" ? { commentId: link.c } : { askedAt: link.e * 1000 - CONFIRM_TTL_MS };
  const confirmed = await desk.confirmSubscriber(openDb(env.DB), link.m, Date.now(), which);
  if (!confirmed) return invalid();
  const done = page(200, s.pageDone, said(s.done.confirm));
  const cookie = await readOwnCookie(request, env);
  const secure = new URL(request.url).protocol === "https:";
  done.headers.append("Set-Cookie", await ownCookie(env, cookie.ids, secure, Date.now(), await mailTag(env, link.m)));
  return done;
}

// GET|POST /subscriptions/stop/:token — stop one thread or everything; a POST from a mail client
// (List-Unsubscribe-Post: List-Unsubscribe=One-Click) does it without a page.
export async function stopLink(request: Request & Params, env: Env): Promise<Response> {
  const link = await verifyLink<{ m: string; c?: number }>(env, "stop", request.params.token);
  if (!link) return invalid();
  const question = link.c === undefined ? s.stopAllQuestion : s.stopThreadQuestion;
  if (request.method !== "POST")
    return page(200, s.pageConfirmTitle, said(question), {
      action: `/subscriptions/stop/${request.params.token}`,
      button: link.c === undefined ? s.stopAll : s.stopThread,
    });
  await desk.stopFollowing(openDb(env.DB), link.m, link.c ?? null);
  return page(200, s.pageDone, said(s.done.stop));
}
