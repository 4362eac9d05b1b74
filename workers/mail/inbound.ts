// Moderating by replying: with Email Routing sending an address to this Worker, the author answers
// a notification with "ok", "spam" or "delete" and it is done. Only from the author's own address,
// as both the envelope and the From: header say, in a message Cloudflare did not find forged
// (its Authentication-Results), and only with the signed reference the notification carries (its
// last line), which works once: a forged sender alone can do nothing, nor a reply sent twice.
import PostalMime from "postal-mime";
import { sha256, verifyLink } from "../auth/tokens.ts";
import * as store from "../db/comments.ts";
import * as desk from "../db/desk.ts";
import { emailSettings, REFERENCES } from "./email.ts";
import { ApiError } from "../http/answers.ts";
import { emailStrings } from "../render/emails.ts";
import { decide } from "../moderation/decisions.ts";
import { authorComment } from "../moderation/author-comment.ts";

const COMMANDS: Record<string, "approve" | "spam" | "delete"> = {
  ok: "approve",
  oui: "approve",
  yes: "approve",
  approve: "approve",
  publier: "approve",
  publish: "approve",
  spam: "spam",
  delete: "delete",
  supprimer: "delete",
  effacer: "delete",
};

/** The first word the author wrote, above the quoted notification. */
export function commandOf(text: string): "approve" | "spam" | "delete" | null {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    // The quote already: nothing was written above it.
    if (line.startsWith(">")) return null;
    const word = line
      .toLowerCase()
      .split(/\s+/)[0]
      .replace(/[^\p{L}]+/gu, "");
    return COMMANDS[word] ?? null;
  }
  return null;
}

// "reply:" (or "réponse :", "répondre :") starts the author's answer to the comment, to publish.
const REPLY_WORD = /^(?:reply|r[ée]ponse|r[ée]pondre)\s*:\s*/iu;

/**
 * The author's answer written above the quote, after "reply:": its text up to the quote (its
 * "… a écrit :" / "… wrote:" line, the quoted lines) or a signature ("-- "), or null when the
 * reply does not start with "reply:".
 */
export function replyTextOf(text: string): string | null {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0) return null;
  const head = lines[first].trim();
  const start = REPLY_WORD.exec(head);
  if (!start) return null;
  const out = [head.slice(start[0].length)];
  for (const line of lines.slice(first + 1)) {
    if (line.startsWith(">") || /billet-ref:/.test(line) || line === "-- " || line.trim() === "--") break;
    out.push(line.trimEnd());
  }
  // The mail client's line introducing the quote.
  while (out.length && (out[out.length - 1].trim() === "" || /(?:wrote|a écrit)\s*:\s*$/iu.test(out[out.length - 1]))) out.pop();
  const reply = out.join("\n").trim();
  return reply || null;
}

/**
 * What the receiving server (Cloudflare's, for Email Routing) found of the message's SPF, DKIM and
 * DMARC, from its Authentication-Results (and ARC) headers. "fail" as soon as a DMARC result fails
 * (a sender may add a header that says pass, never remove the one that says fail); "pass" for
 * DMARC, SPF (the envelope sender's domain), or DKIM signed by the sender's own domain; "unknown"
 * when nothing was said; "fail" otherwise.
 */
export function authenticationOf(headers: Headers, senderDomain: string): "pass" | "fail" | "unknown" {
  const said = ["Authentication-Results", "ARC-Authentication-Results"].map((h) => headers.get(h) ?? "").join(";");
  const results = said
    .toLowerCase()
    .split(";")
    .flatMap((part) => {
      const m = /^\s*(spf|dkim|dmarc)\s*=\s*([a-z]+)(.*)$/s.exec(part);
      return m ? [{ method: m[1], result: m[2], rest: m[3] }] : [];
    });
  if (!results.length) return "unknown";
  if (results.some((r) => r.method === "dmarc" && !["pass", "none", "bestguesspass"].includes(r.result))) return "fail";
  const ownDomain = (d: string | undefined) => d !== undefined && (senderDomain === d || senderDomain.endsWith(`.${d}`));
  const passed = results.some((r) => r.result === "pass" && (r.method !== "dkim" || ownDomain(/\bheader\.d\s*=\s*([a-z0-9.-]+)/.exec(r.rest)?.[1])));
  return passed ? "pass" : "fail";
}

/**
 * The author's answer to a digest, above the quote: command words each followed by the numbers of
 * the digest's comments they apply to ("ok 1 3, spam 2", "supprimer 4"). Any other word ends a
 * command, so the quote's header ("Le 2 déc. à 10:00, … a écrit :") adds nothing.
 */
export function digestCommandsOf(text: string): { action: "approve" | "spam" | "delete"; n: number }[] {
  const out: { action: "approve" | "spam" | "delete"; n: number }[] = [];
  let current: "approve" | "spam" | "delete" | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith(">") || /billet-ref:/.test(line)) break;
    for (const token of line.toLowerCase().match(/\p{L}+|\d+/gu) ?? []) {
      if (/^\d+$/.test(token)) {
        if (current) out.push({ action: current, n: Number(token) });
      } else if (token in COMMANDS) current = COMMANDS[token];
      else if (!["et", "and"].includes(token)) current = null;
    }
  }
  return out;
}

/** Acts on a digest's comments as the author answered; a reason to refuse the reply, or null. */
async function answerDigest(env: Env, lang: string, ids: number[], text: string): Promise<string | null> {
  const s = emailStrings(lang);
  const commands = digestCommandsOf(text);
  if (!commands.length) return s.digestReplyHow;
  const unknown = commands.filter((c) => c.n < 1 || c.n > ids.length);
  if (unknown.length) return s.digestReplyUnknown(unknown.map((c) => c.n).join(", "));
  for (const action of ["approve", "spam", "delete"] as const) {
    const chosen = commands.filter((c) => c.action === action).map((c) => ids[c.n - 1]);
    if (chosen.length) await decide(env, "email-reply", [...new Set(chosen)], action);
  }
  return null;
}

export async function receiveEmail(message: ForwardableEmailMessage, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const settings = emailSettings(env);
  const sender = message.from.toLowerCase();
  if (!settings?.author || sender !== settings.author) {
    message.setReject("This address only takes the blog author's replies to its notifications.");
    return;
  }
  if (authenticationOf(message.headers, sender.split("@").pop() ?? "") === "fail") {
    message.setReject("This message did not pass SPF, DKIM or DMARC; nothing was changed.");
    return;
  }
  const email = await PostalMime.parse(message.raw);
  // The address the mail client shows must be the one that sent it.
  if (email.from?.address?.toLowerCase() !== sender) {
    message.setReject("The From: header does not match the sender; nothing was changed.");
    return;
  }
  // Every reference in the reply (a commenter may have typed one into their comment, which the
  // notification quotes): the one that verifies is the notification's. Several that verify for
  // different comments: the one the subject names.
  const text = `${email.subject ?? ""}\n${email.text ?? ""}`;
  const refs: { c?: number; d?: string; token: string }[] = [];
  for (const [, token] of text.matchAll(REFERENCES)) {
    // A digest's reference names its comments (d), a notification's its comment (c).
    const link = await verifyLink<{ c?: number; d?: string }>(env, "reply-ref", token);
    if (link && (typeof link.c === "number" || typeof link.d === "string") && !refs.some((r) => r.token === token)) refs.push({ c: link.c, d: link.d, token });
  }
  const named = /\[#(\d{1,15})\]/.exec(email.subject ?? "");
  const ref = new Set(refs.map((r) => r.c ?? r.d)).size > 1 ? refs.find((r) => named && r.c === Number(named[1])) : refs[0];
  if (!ref) {
    message.setReject("No valid billet reference: reply to a notification and keep its last line (billet-ref:…).");
    return;
  }
  // A reference works once, whatever it answered.
  const db = store.openDb(env.DB);
  const used = `reply-ref:${await sha256(ref.token)}`;
  if (await desk.linkUsed(db, used)) {
    message.setReject("This notification was answered already; nothing was changed.");
    return;
  }
  try {
    if (ref.d !== undefined) {
      const refused = await answerDigest(env, settings.lang, ref.d.split(".").map(Number), email.text ?? "");
      if (refused) message.setReject(refused);
      else await desk.useLinkStatement(db, used, Date.now());
      return;
    }
    // "reply: …": the author answers the comment, published with the badge (and the comment with it).
    const answer = ref.c === undefined ? null : replyTextOf(email.text ?? "");
    if (answer !== null && ref.c !== undefined) {
      await authorComment(env, "email-reply", { parentId: ref.c }, answer, { extra: [desk.useLinkStatement(db, used, Date.now())] });
      return;
    }
    const action = commandOf(email.text ?? "");
    if (!action || ref.c === undefined) {
      message.setReject("Start your reply with ok, spam or delete, or reply: and your answer.");
      return;
    }
    const [row] = await decide(env, "email-reply", [ref.c], action, [desk.useLinkStatement(db, used, Date.now())]);
    if (!row) message.setReject("This comment no longer exists.");
  } catch (err) {
    message.setReject(err instanceof ApiError ? err.message : "Nothing was changed; please try again.");
    if (!(err instanceof ApiError)) throw err;
  }
}
