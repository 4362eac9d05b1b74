// From parsed threads to rows for D1: which post each thread belongs to, the threading (parent,
// root, depth), the order of insertion, and the SQL that adds only what is not there yet.
// Pure functions: no file system, no database.
import { renderCommentHtml } from "../../workers/render/markdown.ts";
import type { CommentStatus, ModerationStatus } from "../../workers/db/schema.ts";
import type { ParsedExport, SourceComment, SourceThread } from "./formats.ts";

export interface PlannedComment {
  slug: string;
  comment: SourceComment;
  parent: PlannedComment | null;
  root: PlannedComment | null;
  depth: number;
  html: string;
}

export interface Plan {
  rows: PlannedComment[];
  /** Threads with comments that match no post (and no --map): not imported. */
  skipped: { label: string; comments: number }[];
  /** Replies whose parent is not in the file (or is on another post): imported as top-level. */
  orphans: number;
  warnings: string[];
}

export interface PlanOptions {
  /** The slugs of content/posts. */
  posts: Set<string>;
  /** --map old=slug, as given (addresses, paths, slugs or identifiers → slug). */
  map?: Record<string, string>;
}

/** An address, path, slug or identifier in one comparable form: path (and query) of a URL, no trailing slash. */
export function normalizeRef(ref: string): string {
  let s = ref.trim();
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(s) || s.startsWith("//")) {
    try {
      const url = new URL(s, "http://host.invalid");
      s = url.pathname + url.search;
    } catch {
      // keep as is
    }
  }
  s = s.replace(/#.*$/, "");
  try {
    s = decodeURI(s);
  } catch {
    // keep as is
  }
  if (s.length > 1) s = s.replace(/\/+(\?|$)/, "$1");
  return s.toLowerCase();
}

/** The post a thread belongs to: --map first, then /posts/<slug>/, the address's last segment, the source's own slug. */
export function resolveSlug(thread: SourceThread, opts: PlanOptions): string | null {
  const map = new Map(Object.entries(opts.map ?? {}).map(([k, slug]) => [normalizeRef(k), slug]));
  const refs = [...thread.refs, ...(thread.slug ? [thread.slug] : [])];
  for (const ref of refs) {
    const slug = map.get(normalizeRef(ref));
    if (slug) return slug;
  }
  for (const ref of thread.refs) {
    const path = normalizeRef(ref).replace(/\?.*$/, "");
    const posts = /(?:^|\/)posts\/([^/]+)$/.exec(path);
    if (posts && opts.posts.has(posts[1])) return posts[1];
    const segments = path.split("/").map((seg) => seg.replace(/\.(html?|php)$/, ""));
    if (segments[segments.length - 1] === "index") segments.pop();
    const last = segments.pop();
    if (last && opts.posts.has(last)) return last;
  }
  if (thread.slug && opts.posts.has(thread.slug.toLowerCase())) return thread.slug.toLowerCase();
  return null;
}

function compareSourceIds(a: string, b: string): number {
  const na = Number(a.replace(/^\D+:/, ""));
  const nb = Number(b.replace(/^\D+:/, ""));
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function planImport(parsed: ParsedExport, opts: PlanOptions): Plan {
  const plan: Plan = { rows: [], skipped: [], orphans: 0, warnings: [...parsed.warnings] };
  const entries = new Map<string, { slug: string; comment: SourceComment }>();
  for (const thread of parsed.threads) {
    const slug = resolveSlug(thread, opts);
    if (!slug) {
      plan.skipped.push({ label: thread.label, comments: thread.comments.length });
      continue;
    }
    for (const comment of thread.comments) {
      if (entries.has(comment.sourceId)) {
        plan.warnings.push(`comment ${comment.sourceId} appears twice in the file; the first one is imported`);
        continue;
      }
      entries.set(comment.sourceId, { slug, comment });
    }
  }

  // Threading: a reply keeps its parent when the parent is imported onto the same post; a reply
  // to a missing comment (or a loop, in a broken file) stands at the top level.
  const planned = new Map<string, PlannedComment>();
  const visiting = new Set<string>();
  const place = (sourceId: string): PlannedComment => {
    const done = planned.get(sourceId);
    if (done) return done;
    const { slug, comment } = entries.get(sourceId)!;
    visiting.add(sourceId);
    let parent: PlannedComment | null = null;
    const parentId = comment.parentSourceId;
    if (parentId !== null) {
      const entry = entries.get(parentId);
      if (entry && entry.slug === slug && !visiting.has(parentId)) parent = place(parentId);
      else plan.orphans++;
    }
    visiting.delete(sourceId);
    const row: PlannedComment = {
      slug,
      comment,
      parent,
      root: parent ? (parent.root ?? parent) : null,
      depth: parent ? parent.depth + 1 : 0,
      html: renderCommentHtml(comment.content),
    };
    planned.set(sourceId, row);
    return row;
  };
  for (const sourceId of entries.keys()) place(sourceId);

  // Insertion order is the order readers see (ids ascending): billet's own comments by id,
  // others by date; a parent always before its replies.
  const sorted = [...planned.values()].sort((a, b) => {
    if (a.comment.id !== undefined && b.comment.id !== undefined) return a.comment.id - b.comment.id;
    return a.comment.createdAt - b.comment.createdAt || compareSourceIds(a.comment.sourceId, b.comment.sourceId);
  });
  const emitted = new Set<PlannedComment>();
  const emit = (row: PlannedComment) => {
    if (emitted.has(row)) return;
    if (row.parent) emit(row.parent);
    emitted.add(row);
    plan.rows.push(row);
  };
  sorted.forEach(emit);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// SQL

export const sqlValue = (v: string | number | null): string => {
  if (v === null) return "NULL";
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
    return String(v);
  }
  return `'${v.replace(/\u0000/g, "").replace(/'/g, "''")}'`;
};

/** The import key of a comment that was written on billet and had to take a new id elsewhere. */
function movedKey(c: SourceComment): string {
  return `billet:${c.id}:${c.createdAt}`;
}

/** A condition true for the row that already holds this comment, if any. */
function matchOf(row: PlannedComment): string {
  const c = row.comment;
  if (c.id === undefined) return `import_key = ${sqlValue(c.importKey)}`;
  return `(import_key = ${sqlValue(c.importKey ?? movedKey(c))} OR (id = ${c.id} AND created_at = ${c.createdAt}))`;
}

const COLUMNS = "id, post_slug, parent_id, root_id, depth, author_name, author_email, author_url, content, html, status, held_for, created_at, edited_at, updated_at, ip_hash, edit_token_hash, import_key";

/**
 * One statement per comment, inserting it unless it is already there (by import key, or for
 * billet's own export by id and date). Parents are looked up by the same condition, so replies
 * attach to the right row whether it was added now or by an earlier import. A billet comment keeps
 * its id when that id is free.
 */
export function planSql(plan: Plan): string {
  const lines = [`-- billet import: ${plan.rows.length} comment(s); already present ones are left as they are.`];
  for (const row of plan.rows) {
    const c = row.comment;
    const idTaken = c.id !== undefined ? `EXISTS (SELECT 1 FROM comments WHERE id = ${c.id})` : "";
    const id = c.id !== undefined ? `CASE WHEN ${idTaken} THEN NULL ELSE ${c.id} END` : "NULL";
    const key = c.importKey !== null ? sqlValue(c.importKey) : `CASE WHEN ${idTaken} THEN ${sqlValue(movedKey(c))} ELSE NULL END`;
    const ref = (r: PlannedComment | null) => (r ? `(SELECT id FROM comments WHERE ${matchOf(r)} LIMIT 1)` : "NULL");
    const values = [
      id,
      sqlValue(row.slug),
      ref(row.parent),
      ref(row.root),
      String(row.depth),
      sqlValue(c.authorName),
      sqlValue(c.authorEmail),
      sqlValue(c.authorUrl),
      sqlValue(c.content),
      sqlValue(row.html),
      sqlValue(c.status),
      sqlValue(c.heldFor),
      sqlValue(c.createdAt),
      sqlValue(c.editedAt),
      sqlValue(c.updatedAt),
      sqlValue(c.ipHash),
      sqlValue(c.editTokenHash),
      key,
    ];
    lines.push(`INSERT INTO comments (${COLUMNS}) SELECT ${values.join(", ")} WHERE NOT EXISTS (SELECT 1 FROM comments WHERE ${matchOf(row)});`);
  }
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Summary

/** Comments per state; purged ones (empty places kept for their replies) are not counted. */
export type StatusCounts = Record<ModerationStatus, number>;

export function countsByPost(rows: PlannedComment[]): Map<string, StatusCounts> {
  const counts = new Map<string, StatusCounts>();
  for (const row of rows) {
    const status = row.comment.status;
    if (status === "purged") continue;
    const c = counts.get(row.slug) ?? { approved: 0, pending: 0, spam: 0, deleted: 0 };
    c[status]++;
    counts.set(row.slug, c);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}
