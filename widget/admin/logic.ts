// The moderation page's decisions, without the DOM: which actions a comment offers in each state,
// what a hold reason or an API failure says in words, where an action's request goes.
import type { Action, AdminStrings, BlockKind, DeskView, Status } from "./strings.ts";

export const STATUSES: Status[] = ["pending", "approved", "spam", "deleted"];

export interface AdminComment {
  id: number;
  post_slug: string;
  parent_id: number | null;
  depth: number;
  author: { name: string; url: string | null; avatar: string | null; email: string | null };
  content: string;
  html: string;
  created_at: string;
  edited_at: string | null;
  status: Status;
  held_for: string | null;
  ip_hash: string | null;
  /** The spam filter's score when the comment arrived (null: it had not learned enough). */
  spam_score?: number | null;
  /** The features that pulled most towards spam, spammiest first. */
  spam_reasons?: string[];
  /** What the filter learned from the author's decision on it. */
  trained_as?: "spam" | "ham" | null;
  /** Whether its thread is pinned to the top of its post. */
  pinned?: boolean;
  /** For a comment on another site's page (EMBED_SITES): that page. */
  page?: { site: string; url: string; title: string } | null;
}

export interface Block {
  id: number;
  kind: BlockKind;
  value: string;
  until: string | null;
  reason: string | null;
  created_at: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  comment_ids: number[];
  detail: string | null;
}

/** The buttons on one comment, in the order shown: what makes sense from its state. */
export function actionsFor(status: Status): Action[] {
  switch (status) {
    case "pending":
      return ["approve", "spam", "delete"];
    case "approved":
      return ["pending", "spam", "delete"];
    case "spam":
      return ["approve", "pending", "delete", "purge"];
    case "deleted":
      return ["approve", "pending", "purge"];
  }
}

/** The state an action leaves a comment in (null: it is gone). */
export function statusAfter(action: Action): Status | null {
  return action === "approve" ? "approved" : action === "spam" ? "spam" : action === "pending" ? "pending" : action === "delete" ? "deleted" : null;
}

/** The actions for the selection; the same as one comment's (purge is sent one comment at a time). */
export const bulkActionsFor = actionsFor;

/** What the page shows: a state's list, one comment (a link from the log), or one of the desk's views. */
export type Route = { view: "list"; status: Status } | { view: "comment"; id: number } | { view: DeskView };

export const DESK_VIEWS: DeskView[] = ["blocks", "log", "privacy"];

/** The hash-part of the address: #pending… #deleted, #blocks, #log, #privacy, #comment-12 (else pending). */
export function routeFromHash(hash: string): Route {
  const h = hash.replace(/^#/, "");
  if ((DESK_VIEWS as string[]).includes(h)) return { view: h as DeskView };
  const one = /^comment-(\d{1,15})$/.exec(h);
  if (one) return { view: "comment", id: Number(one[1]) };
  return { view: "list", status: statusFromHash(h) };
}

/** The hash-part of the page's address names the tab: #pending, #spam… (anything else: pending). */
export function statusFromHash(hash: string): Status {
  const s = hash.replace(/^#/, "");
  return (STATUSES as string[]).includes(s) ? (s as Status) : "pending";
}

/** `held_for` in words, or null when there is nothing to say. */
export function heldForWords(code: string | null | undefined, s: AdminStrings): string | null {
  if (!code) return null;
  if (code.startsWith("word:")) return s.heldForWord(code.slice(5));
  // blocked:published / blocked:held: what its blocked author is shown; to you, blocked.
  if (code.startsWith("blocked:")) return s.heldFor.blocked;
  return s.heldFor[code] ?? code;
}

/** A score between 0 and 1 as the language writes it, two decimals: 0,97 / 0.97. */
export function formatScore(score: number, lang: string): string {
  const n = Math.min(1, Math.max(0, score));
  return new Intl.NumberFormat(lang || undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
}

/**
 * One of the filter's features (workers/spam/classifier.ts) in words people read: host:x is a link to x,
 * site:x the commenter's website, name:x a word of their name, links:N how many links, length:N
 * how long; plain words and pairs of words are shown as they are, unknown features too.
 */
export function featureWords(feature: string, s: AdminStrings): string {
  const colon = feature.indexOf(":");
  // Words never hold a colon: without one, it is a word or a pair of words.
  if (colon < 0) {
    if (feature === "shouting") return s.feature.shouting;
    if (feature === "repeated") return s.feature.repeated;
    if (feature === "money") return s.feature.money;
    return feature;
  }
  const kind = feature.slice(0, colon);
  const value = feature.slice(colon + 1);
  switch (kind) {
    case "host":
      return value ? s.feature.host(value) : feature;
    case "site":
      return value === "none" ? s.feature.siteNone : value === "invalid" ? s.feature.siteInvalid : s.feature.site(value);
    case "name":
      return value === "shouting" ? s.feature.nameShouting : s.feature.name(value);
    case "mail":
      return value === "none" ? s.feature.mailNone : s.feature.mail(value);
    case "links":
      return /^\d+$/.test(value) ? s.feature.links(Number(value)) : feature;
    case "path":
      return value ? s.feature.path(value) : feature;
    case "word":
      return value || feature;
    case "punctuation":
      return value === "!" ? s.feature.exclamation : value === "run" ? s.feature.punctuationRun : feature;
    case "caps":
      return value ? s.feature.caps(value.toUpperCase()) : feature;
    case "script":
      return s.feature.script[value] ?? feature;
    case "lang":
      return s.feature.lang[value] ?? feature;
    case "length": {
      // The classifier keeps floor(log2(length + 1)), at most 12.
      if (!/^\d+$/.test(value)) return feature;
      const n = Number(value);
      return s.feature.length(Math.max(0, 2 ** n - 1), n >= 12 ? null : 2 ** (n + 1) - 2);
    }
    default:
      return feature;
  }
}

/**
 * Why a comment is where it is, in words: the filter's score and clues when it held the comment or
 * sent it to spam, else the hold reason (null when there is nothing to say, e.g. approved).
 */
export function whyWords(c: Pick<AdminComment, "status" | "held_for" | "spam_score" | "spam_reasons">, s: AdminStrings, lang: string): string | null {
  if (c.status !== "pending" && c.status !== "spam") return null;
  if (c.held_for === "filter") {
    const score = typeof c.spam_score === "number" ? formatScore(c.spam_score, lang) : null;
    const clues = (c.spam_reasons ?? []).map((f) => featureWords(f, s)).join(", ");
    return s.looksLikeSpam(score, clues);
  }
  return heldForWords(c.held_for, s);
}

/** Only http(s) addresses become links; anything else is shown as text. */
export function safeWebsite(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

/** The public address of a comment on its post's page (or billet's page of another site's thread, `~` key). */
export function commentLink(slug: string, id: number): string {
  return slug.startsWith("~") ? `/threads/${slug}/#comment-${id}` : `/posts/${encodeURIComponent(slug)}/#comment-${id}`;
}

export interface Request {
  method: "POST" | "DELETE";
  path: string;
  body?: unknown;
}

/** The admin API request for one comment and one action. */
export function actionRequest(id: number, action: Action): Request {
  if (action === "purge") return { method: "DELETE", path: `/api/admin/comments/${id}?purge=1` };
  if (action === "delete") return { method: "DELETE", path: `/api/admin/comments/${id}` };
  return { method: "POST", path: `/api/admin/comments/${id}/${action}` };
}

/** The list request for a tab, a post filter, a cursor, a search (words, all to be found) and a site ("blog" or an origin of EMBED_SITES). */
export function listPath(status: Status, post: string, cursor: string | null, limit = 50, search = "", site = ""): string {
  const q = new URLSearchParams({ status, limit: String(limit) });
  if (post) q.set("post", post);
  if (site) q.set("site", site);
  const words = normalSearch(search);
  if (words) q.set("q", words);
  if (cursor) q.set("cursor", cursor);
  return `/api/admin/comments?${q}`;
}

/** A search as sent: words separated by single spaces, at most 200 characters. */
export function normalSearch(search: string): string {
  return search.trim().split(/\s+/).filter(Boolean).join(" ").slice(0, 200).trim();
}

/**
 * The request that finds one comment in a state: the list is newest first by id and the cursor
 * means "ids below", so the first comment below id + 1 is this one, if it is in that state.
 */
export function lookupPath(status: Status, id: number): string {
  return `/api/admin/comments?status=${status}&limit=1&cursor=${id + 1}`;
}

/** The website host the API blocks by (www. dropped), or null. */
export function websiteHost(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.replace(/^www\./, "").toLowerCase() || null;
  } catch {
    return null;
  }
}

/** What the comment's author can be blocked by: only what the comment has. */
export function blockKindsFor(c: Pick<AdminComment, "author" | "ip_hash">): { kind: BlockKind; shown: string }[] {
  const out: { kind: BlockKind; shown: string }[] = [];
  if (c.author.email) out.push({ kind: "email", shown: c.author.email });
  if (c.ip_hash) out.push({ kind: "network", shown: c.ip_hash.slice(0, 8) });
  const host = websiteHost(c.author.url);
  if (host) out.push({ kind: "host", shown: host });
  return out;
}

/** A block's value as shown: a network is kept as a hash, shown short. */
export function blockValueShown(b: Pick<Block, "kind" | "value">, s: AdminStrings): string {
  return b.kind === "network" ? s.hashShown(b.value.slice(0, 8)) : b.value;
}

/** How long a block lasts, as the form offers it: "" for good, else whole days. */
export function blockDays(choice: string): number | undefined {
  return /^\d{1,4}$/.test(choice) ? Number(choice) : undefined;
}

/**
 * How to put comments back where they were before an action: the requests, in order. Back to
 * pending, to spam or to approved is one action (pending also unlearns what the filter was taught);
 * back to the bin goes through pending first, so the filter forgets, then delete (which teaches
 * nothing). A purge cannot be undone: null.
 */
export function undoActions(from: Status, action: Action): Action[] | null {
  if (action === "purge") return null;
  switch (from) {
    case "pending":
      return ["pending"];
    case "approved":
      return ["approve"];
    case "spam":
      return ["spam"];
    case "deleted":
      return action === "pending" ? ["delete"] : ["pending", "delete"];
  }
}

export type Shortcut = "next" | "previous" | "approve" | "spam" | "delete" | "undo" | "help";

/** The list's one-key shortcuts (no Ctrl, Alt or Meta; Shift only where it makes the character). */
export function shortcutFor(key: string, mods: { ctrl: boolean; alt: boolean; meta: boolean }): Shortcut | null {
  if (mods.ctrl || mods.alt || mods.meta) return null;
  switch (key) {
    case "j":
      return "next";
    case "k":
      return "previous";
    case "a":
      return "approve";
    case "s":
      return "spam";
    case "d":
      return "delete";
    case "u":
      return "undo";
    case "?":
      return "help";
    default:
      return null;
  }
}

/** Who did it, in words: the admin token, the person Cloudflare Access signed in, a link or reply in an email. */
export function actorWords(actor: string, s: AdminStrings): string {
  if (actor === "token") return s.actorToken;
  if (actor.startsWith("access:")) return actor.slice(7);
  return s.actors[actor] ?? s.unknownWord;
}

/** What was done, in words (unknown actions as they are). */
export function auditActionWords(action: string, s: AdminStrings): string {
  if (action.startsWith("block:")) return s.logBlock(action.slice(6));
  if (action.startsWith("unblock:")) return s.logUnblock(action.slice(8));
  return s.logActions[action] ?? s.unknownWord;
}

/** An entry's detail in words: a block's end, an erasure's counts; anything else as it is. */
export function auditDetailWords(detail: string | null, s: AdminStrings, date: (iso: string) => string): string | null {
  if (!detail) return null;
  if (detail === "for good") return s.blockForGood;
  const until = /^until (\S+)$/.exec(detail);
  if (until && !Number.isNaN(Date.parse(until[1]))) return s.blockUntil(date(until[1]));
  const erased = /^(\d+) comment\(s\), (\d+) block\(s\)$/.exec(detail);
  if (erased) return s.logErased(Number(erased[1]), Number(erased[2]));
  return detail;
}

/** The export's file name: billet-commenter-<email>.json, with nothing a file system minds. */
export function exportFileName(email: string): string {
  return `billet-commenter-${email
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9@._+-]/g, "_")}.json`;
}

/** An email worth sending: something@something.something, no spaces. */
export function plausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim());
}

/** Splits a list into chunks the bulk endpoint accepts (at most 100 ids each, MAX_BULK_IDS). */
export function chunks<T>(items: T[], size = 100): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A failed API call: the HTTP status (0 when the network failed) and the error code. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds to wait before trying again (Retry-After), when the server said. */
  readonly retryAfter: number | null;
  constructor(status: number, code: string, message: string, retryAfter: number | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** What to tell the moderator about a failure (401 is handled by asking for the token again). */
export function failureWords(err: unknown, s: AdminStrings): string {
  if (!(err instanceof ApiFailure)) return s.errors.network;
  if (err.status === 0) return s.errors.network;
  if (err.status === 404) return s.errors.notFound;
  if (err.status === 503) return s.errors.storage;
  if (err.status === 403) return s.errors.forbidden;
  if (err.status === 429) return s.errors.tooManyAttempts(err.retryAfter ?? 60);
  return s.errors.other(err.code || String(err.status));
}
