// Moderation, for the author only (admin token or Cloudflare Access): list and search by state;
// approve, mark spam, hold, delete (soft, or for good); the same in bulk. Every decision teaches the
// spam filter and is written in the audit log. Blocks, the audit log, and a commenter's data
// (export, erase) live here too.
import * as v from "valibot";
import { hashNetwork, clientNetwork, requireAdmin } from "../auth/tokens.ts";
import { addDeltas, type FeatureCounts, features, trainingDelta } from "../spam/classifier.ts";
import * as store from "../db/comments.ts";
import * as desk from "../db/desk.ts";
import * as order from "../db/order.ts";
import type { AuditRow, BlockRow, CommentRow } from "../db/schema.ts";
import { ApiError, json } from "../http/answers.ts";
import { ACTIONS, decide } from "../moderation/decisions.ts";
import { forgetVersion } from "../pages/cache.ts";
import { adminListQuerySchema, auditQuerySchema, blockSchema, bulkSchema, emailQuerySchema, fieldErrors } from "../http/validate.ts";
import { readFields } from "../http/body.ts";
import { publicComment, websiteHost } from "./comments.ts";

type Params = { params: Record<string, string> };

const noStore = { "Cache-Control": "no-store" };

function adminComment(row: CommentRow) {
  return {
    ...publicComment(row),
    status: row.status,
    held_for: row.heldFor,
    author: { ...publicComment(row).author, email: row.authorEmail },
    ip_hash: row.ipHash,
    spam_score: row.spamScore,
    spam_reasons: row.spamReasons ? (JSON.parse(row.spamReasons) as string[]) : [],
    trained_as: row.trainedAs,
  };
}

function idParam(request: Request & Params): number {
  const raw = request.params.id;
  if (!/^\d{1,15}$/.test(raw)) throw new ApiError(404, "comment_not_found", "There is no such comment.");
  return Number(raw);
}

function parsed<T extends v.GenericSchema>(schema: T, input: unknown, status: 400 | 422): v.InferOutput<T> {
  const result = v.safeParse(schema, input);
  if (!result.success) {
    throw status === 400
      ? new ApiError(400, "bad_request", "Some query parameters are not valid.", fieldErrors(result.issues))
      : new ApiError(422, "validation_failed", "Some fields are not valid.", fieldErrors(result.issues));
  }
  return result.output;
}

async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  if ((request.headers.get("Content-Type") ?? "").split(";")[0].trim() !== "application/json") {
    throw new ApiError(415, "unsupported_media_type", "Send application/json.");
  }
  return readFields(request, "json");
}

// GET /api/admin/comments?status=pending&post=&q=&limit=&cursor=
export async function adminList(request: Request, env: Env): Promise<Response> {
  await requireAdmin(request, env);
  const q = parsed(adminListQuerySchema, Object.fromEntries(new URL(request.url).searchParams), 400);
  const db = store.openDb(env.DB);
  const result = await store.listForModeration(db, q);
  const withPage = (row: (typeof result.rows)[number]) => ({ ...adminComment(row), pinned: Boolean(row.pinned), page: row.page });
  return json({ comments: result.rows.map(withPage), meta: { next_cursor: result.nextCursor === null ? null : String(result.nextCursor) } }, 200, noStore);
}

// GET /api/admin/comments/counts → {pending, approved, spam, deleted}
export async function adminCounts(request: Request, env: Env): Promise<Response> {
  await requireAdmin(request, env);
  return json(await store.countByStatus(store.openDb(env.DB)), 200, noStore);
}

// POST /api/admin/comments/:id/(approve|spam|pending)
export async function adminAction(request: Request & Params, env: Env): Promise<Response> {
  const actor = await requireAdmin(request, env);
  const id = idParam(request);
  const action = request.params.action;
  if (!(action in ACTIONS)) throw new ApiError(404, "not_found", "No such moderation action.");
  const [row] = await decide(env, actor, [id], action);
  if (!row) throw new ApiError(404, "comment_not_found", "There is no such comment.");
  return json({ comment: adminComment(row) }, 200, noStore);
}

// DELETE /api/admin/comments/:id[?purge=1]
export async function adminDelete(request: Request & Params, env: Env): Promise<Response> {
  const actor = await requireAdmin(request, env);
  const id = idParam(request);
  const purge = new URL(request.url).searchParams.get("purge") === "1";
  const [row] = await decide(env, actor, [id], purge ? "purge" : "delete");
  if (!row) throw new ApiError(404, "comment_not_found", "There is no such comment.");
  return new Response(null, { status: 204 });
}

// POST /api/admin/comments/bulk {ids, action: approve|spam|pending|delete|purge}
export async function adminBulk(request: Request, env: Env): Promise<Response> {
  const actor = await requireAdmin(request, env);
  const input = parsed(bulkSchema, await jsonBody(request), 422);
  const rows = await decide(env, actor, input.ids, input.action);
  return json({ updated: rows.map((r) => r.id) }, 200, noStore);
}

function publicBlock(b: BlockRow) {
  return {
    id: b.id,
    kind: b.kind,
    value: b.value,
    until: b.until === null ? null : new Date(b.until).toISOString(),
    reason: b.reason,
    created_at: new Date(b.createdAt).toISOString(),
  };
}

// GET /api/admin/blocks — the blocks in force.
export async function adminBlocks(request: Request, env: Env): Promise<Response> {
  await requireAdmin(request, env);
  const rows = await desk.listBlocks(store.openDb(env.DB), Date.now());
  return json({ blocks: rows.map(publicBlock) }, 200, noStore);
}

/**
 * POST /api/admin/blocks {kind: email|network|host, value? | comment_id?, days?, reason?}
 * From a comment, the value is its author's email, network (address hash) or website host; given
 * by hand, an email, an address (IPv4, or IPv6 blocked by its /64) or a host. No `days`: for good.
 */
export async function adminBlock(request: Request, env: Env): Promise<Response> {
  const actor = await requireAdmin(request, env);
  const input = parsed(blockSchema, await jsonBody(request), 422);
  const db = store.openDb(env.DB);
  let value: string | null = null;
  if (input.comment_id !== undefined) {
    const row = await store.getComment(db, input.comment_id);
    if (!row || row.status === "purged") throw new ApiError(404, "comment_not_found", "There is no such comment.");
    value = input.kind === "email" ? row.authorEmail : input.kind === "network" ? row.ipHash : websiteHost(row.authorUrl);
    if (!value)
      throw new ApiError(422, "validation_failed", "This comment has nothing to block by that (no email, no address kept, or no website).", {
        kind: "missing",
      });
  } else if (input.value !== undefined) {
    if (input.kind === "email") value = input.value.toLowerCase();
    else if (input.kind === "host") value = websiteHost(/^https?:\/\//i.test(input.value) ? input.value : `https://${input.value}`);
    else {
      const network = clientNetwork(input.value);
      value = network ? await hashNetwork(env, network) : null;
    }
    if (!value) throw new ApiError(422, "validation_failed", "This value cannot be blocked as that kind.", { value: "invalid" });
  } else {
    throw new ApiError(422, "validation_failed", "Say what to block: a value, or a comment.", { value: "required" });
  }
  const now = Date.now();
  const until = input.days === undefined ? null : now + input.days * 86_400_000;
  const block = await desk.addBlock(db, { kind: input.kind, value, until, reason: input.reason ?? null, now });
  await store.runBatch(db, [
    desk.auditStatement(db, {
      actor,
      action: `block:${input.kind}`,
      commentIds: input.comment_id ? [input.comment_id] : [],
      detail: until ? `until ${new Date(until).toISOString()}` : "for good",
      at: now,
    }),
  ]);
  return json({ block: publicBlock(block) }, 201, noStore);
}

// DELETE /api/admin/blocks/:id
export async function adminUnblock(request: Request & Params, env: Env): Promise<Response> {
  const actor = await requireAdmin(request, env);
  const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : NaN;
  const db = store.openDb(env.DB);
  const removed = Number.isFinite(id) ? await desk.removeBlock(db, id) : undefined;
  if (!removed) throw new ApiError(404, "not_found", "There is no such block.");
  await store.runBatch(db, [desk.auditStatement(db, { actor, action: `unblock:${removed.kind}`, at: Date.now() })]);
  return new Response(null, { status: 204 });
}

function publicAuditEntry(r: AuditRow) {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    comment_ids: r.commentIds ? (JSON.parse(r.commentIds) as number[]) : [],
    detail: r.detail,
  };
}

// GET /api/admin/audit?limit=&cursor= — the moderation actions, newest first.
export async function adminAudit(request: Request, env: Env): Promise<Response> {
  await requireAdmin(request, env);
  const q = parsed(auditQuerySchema, Object.fromEntries(new URL(request.url).searchParams), 400);
  const result = await desk.listAudit(store.openDb(env.DB), q);
  return json(
    {
      entries: result.rows.map(publicAuditEntry),
      meta: { next_cursor: result.nextCursor === null ? null : String(result.nextCursor) },
    },
    200,
    noStore,
  );
}

// GET /api/admin/commenters?email= — everything stored about one commenter (the email compared
// normalised): their comments, the blocks on them, their subscription, and the log entries that
// name their comments. The export itself is logged (without the address).
export async function adminCommenterExport(request: Request, env: Env): Promise<Response> {
  const actor = await requireAdmin(request, env);
  const { email } = parsed(emailQuerySchema, Object.fromEntries(new URL(request.url).searchParams), 400);
  const db = store.openDb(env.DB);
  const data = await desk.commenterData(db, email, websiteHost);
  const subscriptions = {
    subscribed: data.subscriber !== null,
    created_at: data.subscriber ? new Date(data.subscriber.createdAt).toISOString() : null,
    confirmed_at: data.subscriber?.confirmedAt ? new Date(data.subscriber.confirmedAt).toISOString() : null,
    following: data.subscriptions.map((f) => f.commentId),
  };
  await store.runBatch(db, [
    desk.auditStatement(db, {
      actor,
      action: "export-commenter",
      commentIds: data.comments.map((c) => c.id),
      detail: `${data.comments.length} comment(s), ${data.blocks.length} block(s)`,
      at: Date.now(),
    }),
  ]);
  return json(
    { email, comments: data.comments.map(adminComment), blocks: data.blocks.map(publicBlock), subscriptions, log: data.audit.map(publicAuditEntry) },
    200,
    { ...noStore, "Content-Disposition": `attachment; filename="billet-commenter.json"` },
  );
}

// DELETE /api/admin/commenters?email= — erases it, leaving nothing of them: their comments purged
// (an empty place stays above others' replies), the blocks on their email, networks and website
// lifted, their subscription forgotten, and what the spam filter learned from their comments
// (their name, website, email domain, words) unlearned. Queue messages carry only comment ids, so
// none holds their data once the rows are gone.
export async function adminCommenterErase(request: Request, env: Env): Promise<Response> {
  const actor = await requireAdmin(request, env);
  const { email } = parsed(emailQuerySchema, Object.fromEntries(new URL(request.url).searchParams), 400);
  const db = store.openDb(env.DB);
  const data = await desk.commenterData(db, email, websiteHost);
  const ids = data.comments.map((c) => c.id);
  const unlearn = new Map<string, FeatureCounts>();
  for (const row of data.comments) if (row.trainedAs) addDeltas(unlearn, trainingDelta(features(row), null, row.trainedAs));
  const now = Date.now();
  await store.runBatch(db, [
    ...(ids.length ? store.purgeStatements(db, ids, now).statements : []),
    ...data.blocks.map((b) => desk.removeBlockStatement(db, b.id)),
    ...desk.forgetSubscriberStatements(db, email),
    ...desk.trainingStatements(db, unlearn),
    // The log keeps that it was done and how much, not whose data it was.
    desk.auditStatement(db, { actor, action: "erase-commenter", detail: `${ids.length} comment(s), ${data.blocks.length} block(s)`, at: now }),
  ]);
  for (const slug of new Set(data.comments.map((c) => c.postSlug))) forgetVersion(slug);
  // The erasure is done; a search index still holding their words until its next merge is not.
  await desk.compactSearchIndexes(db).catch((err) => console.error("search index not compacted after an erasure", err instanceof Error ? err.message : err));
  return json({ erased: { comments: ids.length, blocks: data.blocks.length } }, 200, noStore);
}

// POST /api/admin/comments/:id/pin and /unpin — the comment's whole thread, at the top of its post
// (in every order, on the first page). Logged like any decision; the post's version changes with it.
export async function adminPin(request: Request & Params, env: Env): Promise<Response> {
  return pinning(request, env, true);
}

export async function adminUnpin(request: Request & Params, env: Env): Promise<Response> {
  return pinning(request, env, false);
}

async function pinning(request: Request & Params, env: Env, pin: boolean): Promise<Response> {
  const actor = await requireAdmin(request, env);
  const db = store.openDb(env.DB);
  const row = await store.getComment(db, idParam(request));
  if (!row || (pin && row.status !== "approved")) throw new ApiError(404, "comment_not_found", "There is no such published comment.");
  const threadId = row.threadId ?? row.id;
  const now = Date.now();
  const change = pin ? order.pinStatement(db, { threadId, postSlug: row.postSlug }, now) : order.unpinStatement(db, threadId);
  const [changed] = (await store.runBatch(db, [change])) as unknown[][];
  // Only a pin or unpin that changed something is logged.
  if (changed.length) {
    await store.runBatch(db, [desk.auditStatement(db, { actor, action: pin ? "pin" : "unpin", commentIds: [threadId], at: now })]);
    forgetVersion(row.postSlug);
  }
  return json({ thread_id: threadId, pinned: pin }, 200, noStore);
}
