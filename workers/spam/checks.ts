// Spam, in layers. Cheap local checks first; the optional outside services (Turnstile, Akismet)
// only when their secrets are set. A layer never loses a comment: it holds it for the moderator.
import { filterVerdict, type Score } from "./classifier.ts";
import type { Config } from "../config.ts";
import type { CommentStatus } from "../db/schema.ts";
import { ApiError } from "../http/answers.ts";
import { countLinks } from "../render/markdown.ts";

export interface Verdict {
  status: CommentStatus;
  heldFor: string | null;
}

/** Below this many milliseconds on the form, a person has not really typed a comment. */
export const MIN_FILL_MS = 2_000;

/**
 * The layers in order: the honeypot and blocks send to spam; the filter sends to spam when it is
 * sure (a score at or above SPAM_THRESHOLD); fill time, links and words hold; the filter holds when
 * it has doubts (at or above HOLD_THRESHOLD, or strong evidence both ways); then the moderation
 * policy. `filter` and `blocked` are absent where they do not apply (an edit).
 */
export function localVerdict(
  input: { content: string; html: string; website?: unknown; fill_ms?: unknown },
  config: Config,
  opts: { trusted: boolean; blocked?: boolean; filter?: Score },
): Verdict {
  if (typeof input.website === "string" && input.website !== "") return { status: "spam", heldFor: "honeypot" };
  if (opts.blocked) return { status: "spam", heldFor: "blocked" };
  const filter = opts.filter ? filterVerdict(opts.filter, { spam: config.spamThreshold, hold: config.holdThreshold }) : null;
  if (filter === "spam") return { status: "spam", heldFor: "filter" };
  const fill = Number(input.fill_ms);
  if (input.fill_ms !== undefined && Number.isFinite(fill) && fill < MIN_FILL_MS) return { status: "pending", heldFor: "filled_too_fast" };
  if (countLinks(input.html) > config.maxLinks) return { status: "pending", heldFor: "too_many_links" };
  const lower = input.content.toLowerCase();
  const word = config.holdWords.find((w) => lower.includes(w));
  if (word) return { status: "pending", heldFor: `word:${word}` };
  if (filter === "hold") return { status: "pending", heldFor: "filter" };
  if (config.moderation === "all") return { status: "pending", heldFor: "moderation_all" };
  if (config.moderation === "first-comment" && !opts.trusted) return { status: "pending", heldFor: "first_comment" };
  return { status: "approved", heldFor: null };
}

/** Turnstile, when TURNSTILE_SECRET is set: a missing or failed challenge is refused (the reader can retry). */
export async function checkTurnstile(env: Env, token: unknown, ip: string | null): Promise<void> {
  if (!env.TURNSTILE_SECRET) return;
  if (typeof token !== "string" || token === "") {
    throw new ApiError(422, "validation_failed", "Please complete the anti-spam check.", { "cf-turnstile-response": "required" });
  }
  const form = new FormData();
  form.set("secret", env.TURNSTILE_SECRET);
  form.set("response", token);
  if (ip) form.set("remoteip", ip);
  const unavailable = () =>
    new ApiError(503, "service_unavailable", "The anti-spam check is unavailable; nothing was saved. Please try again.", undefined, { "Retry-After": "5" });
  let answer: { success?: boolean; "error-codes"?: string[] };
  try {
    const res = await fetch("https://challenges.cloudflare.com/turnstile/v0/siteverify", { method: "POST", body: form });
    // Turnstile's own failure (a 5xx, or its "internal-error") is not the reader's: retry later.
    if (!res.ok) throw new Error(`siteverify answered ${res.status}`);
    answer = await res.json();
  } catch (err) {
    console.error("turnstile unavailable", err instanceof Error ? err.message : err);
    throw unavailable();
  }
  if (answer.success === true) return;
  if (answer["error-codes"]?.includes("internal-error")) throw unavailable();
  throw new ApiError(422, "validation_failed", "The anti-spam check failed; please try again.", { "cf-turnstile-response": "invalid" });
}

/** Akismet, when AKISMET_KEY is set: its "spam" marks the comment spam; if it is down the comment is held. */
export async function akismetVerdict(
  env: Env,
  request: Request,
  input: { author_name: string; author_email?: string; author_url?: string; content: string },
  permalink: string,
): Promise<Verdict | null> {
  if (!env.AKISMET_KEY) return null;
  const url = new URL(request.url);
  const body = new URLSearchParams({
    blog: url.origin,
    user_ip: request.headers.get("CF-Connecting-IP") ?? "",
    user_agent: request.headers.get("User-Agent") ?? "",
    referrer: request.headers.get("Referer") ?? "",
    permalink,
    comment_type: "comment",
    comment_author: input.author_name,
    comment_author_email: input.author_email ?? "",
    comment_author_url: input.author_url ?? "",
    comment_content: input.content,
  });
  try {
    const res = await fetch(`https://${env.AKISMET_KEY}.rest.akismet.com/1.1/comment-check`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
    const answer = (await res.text()).trim();
    if (answer === "true") return { status: "spam", heldFor: "akismet" };
    if (answer === "false") return null;
    return { status: "pending", heldFor: "akismet_unavailable" };
  } catch {
    return { status: "pending", heldFor: "akismet_unavailable" };
  }
}
