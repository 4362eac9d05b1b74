// Moderating by replying: with Email Routing sending an address to this Worker, the author answers
// a notification with "ok", "spam" or "delete" and it is done. Only from the author's own address
// (AUTHOR_EMAIL), and only with the signed reference the notification carries (its last line), so
// a forged sender alone can do nothing.
import PostalMime from "postal-mime";
import { verifyLink } from "./auth.ts";
import { emailSettings, REFERENCE } from "./email.ts";
import { ApiError } from "./http.ts";
import { emailStrings } from "./render/emails.ts";
import { decide } from "./moderation.ts";

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
  if (!settings?.author || message.from.toLowerCase() !== settings.author) {
    message.setReject("This address only takes the blog author's replies to its notifications.");
    return;
  }
  const email = await PostalMime.parse(message.raw);
  const ref = REFERENCE.exec(`${email.subject ?? ""}\n${email.text ?? ""}`);
  const link = ref ? await verifyLink<{ c: number; d?: string }>(env, "reply-ref", ref[1]) : null;
  if (!link) {
    message.setReject("No valid billet reference: reply to a notification and keep its last line (billet-ref:…).");
    return;
  }
  if (link.d !== undefined) {
    try {
      const refused = await answerDigest(env, settings.lang, link.d.split(".").map(Number), email.text ?? "");
      if (refused) message.setReject(refused);
    } catch (err) {
      message.setReject(err instanceof ApiError ? err.message : "Nothing was changed; please try again.");
      if (!(err instanceof ApiError)) throw err;
    }
    return;
  }
  const action = commandOf(email.text ?? "");
  if (!action) {
    message.setReject("Start your reply with ok, spam or delete.");
    return;
  }
  try {
    const [row] = await decide(env, "email-reply", [link.c], action);
    if (!row) message.setReject("This comment no longer exists.");
  } catch (err) {
    message.setReject(err instanceof ApiError ? err.message : "Nothing was changed; please try again.");
    if (!(err instanceof ApiError)) throw err;
  }
}
