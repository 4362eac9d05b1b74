// Moderation decisions, wherever they come from (the admin API, a one-click link in an email, an
// email reply): the comments change state, the spam filter learns, and the audit log records who,
// all in one batch.
import { addDeltas, type FeatureCounts, features, trainingDelta } from "../spam/classifier.ts";
import * as store from "../db/comments.ts";
import * as desk from "../db/desk.ts";
import type { CommentRow, ModerationStatus } from "../db/schema.ts";
import { ApiError } from "../http/answers.ts";
import { announcePublished } from "../mail/notify.ts";
import { forgetVersion } from "../pages/cache.ts";

export type Decision = "approve" | "spam" | "delete" | "pending" | "purge";

export const ACTIONS: Record<string, ModerationStatus> = { approve: "approved", spam: "spam", delete: "deleted", pending: "pending" };
// What the filter learns from each decision: approving teaches ham, spam teaches spam, putting a
// comment back in the queue unlearns (undo); deleting teaches nothing.
const LEARNS: Record<string, "spam" | "ham" | null | undefined> = { approve: "ham", spam: "spam", pending: null, delete: undefined };

/**
 * Applies a decision to comments, teaches the filter, and records it, in one batch (with `extra`
 * statements, such as marking a one-click link used). Replies it publishes are announced. `known`:
 * the rows of `ids` as the caller just read them (saves a round trip to D1).
 */
export async function decide(
  env: Env,
  actor: string,
  ids: number[],
  action: Decision | string,
  extra: unknown[] = [],
  known?: CommentRow[],
): Promise<CommentRow[]> {
  const db = store.openDb(env.DB);
  const now = Date.now();
  // The log names exactly the comments this changes: those that exist, are not gone, and are not
  // already where the decision puts them. A decision that changes nothing is not logged.
  const before = known ?? (await store.commentsByIds(db, ids));
  const target = action === "purge" ? "purged" : ACTIONS[action];
  const changed = before.filter((r) => r.status !== "purged" && r.status !== target).map((r) => r.id);
  const log = changed.length ? [desk.auditStatement(db, { actor, action, commentIds: changed, at: now })] : [];
  let rows: CommentRow[];
  const wasApproved = new Set(before.filter((r) => r.status === "approved").map((r) => r.id));
  try {
    if (action === "purge") {
      const purge = store.purgeStatements(db, ids, now);
      rows = purge.purged(await store.runBatch(db, [...purge.statements, ...log, ...extra]));
    } else {
      const learn = LEARNS[action];
      const training = new Map<string, FeatureCounts>();
      const trained: Record<"spam" | "ham" | "none", number[]> = { spam: [], ham: [], none: [] };
      if (learn !== undefined) {
        for (const row of before) {
          if (row.status === "purged" || row.trainedAs === learn) continue;
          addDeltas(training, trainingDelta(features(row), learn, row.trainedAs));
          trained[learn ?? "none"].push(row.id);
        }
      }
      // A moderator's decision replaces the automatic reason a comment was held for.
      const status = store.setStatusStatements(db, ids, ACTIONS[action], now, action === "approve" ? null : "moderator");
      const results = await store.runBatch(db, [
        ...status,
        ...store.trainedAsStatements(db, trained.ham, "ham"),
        ...store.trainedAsStatements(db, trained.spam, "spam"),
        ...store.trainedAsStatements(db, trained.none, null),
        ...desk.trainingStatements(db, training),
        ...log,
        ...extra,
      ]);
      rows = (results.slice(0, status.length) as CommentRow[][]).flat();
    }
  } catch (err) {
    // Bringing back a deleted comment that was posted again since.
    // The same one-click link used twice at once: the second changes nothing.
    if (store.isDuplicateError(err, "used_links")) throw new ApiError(409, "link_used", "This link was used already; nothing was changed.");
    if (store.isDuplicateError(err)) throw new ApiError(409, "duplicate_comment", "The same comment is already on this post; nothing was changed.");
    throw err;
  }
  for (const slug of new Set(rows.map((r) => r.postSlug))) forgetVersion(slug);
  if (action === "approve")
    await announcePublished(
      env,
      rows.filter((r) => !wasApproved.has(r.id)),
    );
  return rows;
}
