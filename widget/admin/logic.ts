// The moderation page's decisions, without the DOM: which actions a comment offers in each state,
// what a hold reason or an API failure says in words, where an action's request goes.
import type { Action, AdminStrings, Status } from "./strings.ts";

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

/** The hash-part of the page's address names the tab: #pending, #spam… (anything else: pending). */
export function statusFromHash(hash: string): Status {
  const s = hash.replace(/^#/, "");
  return (STATUSES as string[]).includes(s) ? (s as Status) : "pending";
}

/** `held_for` in words, or null when there is nothing to say. */
export function heldForWords(code: string | null | undefined, s: AdminStrings): string | null {
  if (!code) return null;
  if (code.startsWith("word:")) return s.heldForWord(code.slice(5));
  return s.heldFor[code] ?? code;
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

/** The public address of a comment on its post's page. */
export function commentLink(slug: string, id: number): string {
  return `/posts/${encodeURIComponent(slug)}/#comment-${id}`;
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

/** The list request for a tab, a post filter and a cursor. */
export function listPath(status: Status, post: string, cursor: string | null, limit = 50): string {
  const q = new URLSearchParams({ status, limit: String(limit) });
  if (post) q.set("post", post);
  if (cursor) q.set("cursor", cursor);
  return `/api/admin/comments?${q}`;
}

/** Splits a list into chunks the bulk endpoint accepts (at most 500 ids each). */
export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A failed API call: the HTTP status (0 when the network failed) and the error code. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** What to tell the moderator about a failure (401 is handled by asking for the token again). */
export function failureWords(err: unknown, s: AdminStrings): string {
  if (!(err instanceof ApiFailure)) return s.errors.network;
  if (err.status === 0) return s.errors.network;
  if (err.status === 404) return s.errors.notFound;
  if (err.status === 503) return s.errors.storage;
  if (err.status === 403) return s.errors.forbidden;
  return s.errors.other(err.code || String(err.status));
}
