// Other comment servers' native exports: Isso (its SQLite database, comments.db), Remark42 (its
// backup: a first line of metadata, then one comment a line, usually gzipped) and Waline (the JSON
// its admin page exports, waline.json). Each becomes threads of comments, matched to posts like
// Disqus threads.
import { DatabaseSync } from "node:sqlite";
import type { CommentStatus } from "../../workers/db/schema.ts";
import { htmlToMarkdown } from "./html-to-markdown.ts";
import {
  emailOrNull,
  jsonErrorAt,
  oneLine,
  siteKey,
  sqlDateParts,
  websiteOrNull,
  zonedTime,
  type ImportSink,
  type ParseOptions,
  type SourceComment,
} from "./formats.ts";
import { ImportError } from "./problems.ts";

function needSite(opts: ParseOptions, what: string): string {
  if (opts.site) return siteKey(opts.site);
  throw new ImportError(
    `${opts.file ?? "the file"}: ${what} does not name the site it served: give the old site with --site <its address>, e.g. --site https://old.example.org. Nothing was imported.`,
  );
}

/** Text that holds HTML tags (comments imported into these servers from elsewhere) rather than Markdown. */
const looksLikeHtml = (s: string) => /<\/?(p|a|br|strong|em|b|i|code|pre|blockquote|img|ul|ol|li|div|span)(\s[^>]*)?\/?>/i.test(s);

/**
 * Comments soft-deleted by the old server keep no text: with replies they become empty places
 * (purged), without, nothing is left to import.
 */
function keepErased(comments: SourceComment[], sink: ImportSink, what: string): SourceComment[] {
  const parents = new Set(comments.map((c) => c.parentSourceId).filter((p) => p !== null));
  return comments.filter((c) => {
    if (c.status !== "purged" || parents.has(c.sourceId)) return true;
    sink.ignored(what);
    return false;
  });
}

// ---------------------------------------------------------------------------------------------
// Isso: threads(id, uri, title) and comments(tid, id, parent, created, modified, mode, remote_addr,
// text, author, email, website, likes, dislikes, voters, notification). Mode 1 is published, 2
// waiting, 4 deleted (its text and author erased, kept for its replies). Times are Unix seconds.

export function readIsso(path: string, sink: ImportSink, opts: ParseOptions = {}): void {
  const file = opts.file ?? path;
  const site = needSite(opts, "an Isso database");
  sink.site({ url: opts.site });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    db.prepare("SELECT id, uri, title FROM threads LIMIT 1").all();
    db.prepare("SELECT tid, id, parent, created, modified, mode, text, author, email, website FROM comments LIMIT 1").all();
  } catch (err) {
    throw new ImportError(
      `${file}: not an Isso database (${err instanceof Error && /malformed|not a database/i.test(err.message) ? "the SQLite file is damaged or truncated" : "no threads and comments tables as Isso makes them"}). Nothing was imported.`,
    );
  }
  const anonymous = opts.anonymous ?? "Anonymous";
  try {
    const threads = db.prepare("SELECT id, uri, title FROM threads ORDER BY id").all() as { id: number; uri: string | null; title: string | null }[];
    const commentsOf = db.prepare("SELECT id, parent, created, modified, mode, text, author, email, website FROM comments WHERE tid = ? ORDER BY id");
    for (const t of threads) {
      const uri = (t.uri ?? "").trim();
      const title = (t.title ?? "").trim();
      const comments: SourceComment[] = [];
      for (const row of commentsOf.iterate(t.id) as Iterable<Record<string, unknown>>) {
        const where = `Isso comment ${row.id} on ${uri || `thread ${t.id}`}`;
        const created = Number(row.created);
        if (typeof row.created !== "number" || !Number.isFinite(created) || created <= 0) {
          sink.problem({ item: where, field: "created", value: String(row.created), expected: "not a time (seconds since 1970)" });
          continue;
        }
        const mode = Number(row.mode);
        const status: CommentStatus | undefined = mode === 1 ? "approved" : mode === 2 ? "pending" : mode === 4 ? "purged" : undefined;
        if (!status) {
          sink.problem({ item: where, field: "mode", value: String(row.mode), expected: "neither 1 (published), 2 (waiting) nor 4 (deleted)" });
          continue;
        }
        const createdAt = Math.round(created * 1000);
        const modified = typeof row.modified === "number" && row.modified > 0 ? Math.round(row.modified * 1000) : null;
        comments.push({
          sourceId: String(row.id),
          parentSourceId: row.parent === null || row.parent === undefined ? null : String(row.parent),
          importKey: `isso:${site}:${row.id}`,
          authorName: status === "purged" ? "" : oneLine(row.author as string | null, anonymous),
          authorEmail: status === "purged" ? null : emailOrNull(row.email as string | null),
          authorUrl: status === "purged" ? null : websiteOrNull(row.website as string | null),
          // Isso keeps what the commenter typed, in Markdown.
          content: status === "purged" ? "" : String(row.text ?? ""),
          status,
          heldFor: null,
          createdAt,
          editedAt: modified,
          updatedAt: modified ?? createdAt,
          ipHash: null,
          editTokenHash: null,
        });
      }
      const kept = keepErased(comments, sink, "comment deleted in Isso without replies (nothing left to keep)");
      if (!kept.length) continue;
      const handle = sink.thread({ label: uri || title || `Isso thread ${t.id}`, refs: uri ? [uri] : [], title: title || undefined });
      for (const c of kept) sink.comment(handle, c);
    }
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError(
      `${file}: the Isso database cannot be read to its end (${err instanceof Error && /malformed|corrupt|not a database/i.test(err.message) ? "the SQLite file is damaged or truncated" : "an unexpected table layout"}). Nothing was imported.`,
    );
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Remark42: `{"version":1,"users":[…],"posts":[…]}` on the first line, then one comment a line:
// {"id","pid","text" (HTML),"orig" (Markdown),"user":{"name","id",…},"locator":{"site","url"},
//  "time","edit":{"time"},"delete","title",…}.

interface Remark42Comment {
  id?: unknown;
  pid?: unknown;
  text?: unknown;
  orig?: unknown;
  user?: { name?: unknown; email?: unknown };
  locator?: { site?: unknown; url?: unknown };
  time?: unknown;
  edit?: { time?: unknown } | null;
  delete?: unknown;
  title?: unknown;
}

export interface LineReader {
  write(chunk: string): void;
  close(): void;
  line: number;
}

export function remark42Reader(sink: ImportSink, opts: ParseOptions = {}): LineReader {
  const file = opts.file ?? "the file";
  const anonymous = opts.anonymous ?? "Anonymous";
  let buffer = "";
  let lineNo = 0;
  let meta = false;
  // Threads by address; their comments are held until the end (soft-deleted ones need to know
  // whether they have replies). One comment is a few hundred bytes.
  const threads = new Map<string, { title: string; comments: SourceComment[] }>();
  let siteName = opts.site ? siteKey(opts.site) : "";
  if (opts.site) sink.site({ url: opts.site });

  const handle = (line: string, last: boolean) => {
    lineNo++;
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      const detail = jsonErrorAt(line, err).replace(/^line 1, /, "");
      if (!meta) throw new ImportError(`${file}, line ${lineNo}: not a Remark42 backup (${detail}). Nothing was imported.`, { line: lineNo });
      sink.problem({
        item: `Remark42 comment on line ${lineNo}`,
        field: "the line",
        value: line.slice(0, 60),
        expected: last ? "cut off: the file looks truncated" : `not valid JSON (${detail})`,
        line: lineNo,
      });
      return;
    }
    if (!meta) {
      meta = true;
      const m = value as { version?: unknown; users?: unknown; posts?: unknown };
      if (typeof m !== "object" || m === null || (!("users" in m) && !("posts" in m) && !("version" in m)))
        throw new ImportError(
          `${file}, line 1: not a Remark42 backup (its first line should hold {"version":1,"users":[…],"posts":[…]}). Nothing was imported.`,
          { line: 1 },
        );
      return;
    }
    const c = value as Remark42Comment;
    const where = `Remark42 comment ${typeof c.id === "string" ? c.id : "(no id)"}`;
    const fail = (field: string, v: unknown, expected: string) =>
      sink.problem({ item: where, field, value: typeof v === "string" ? v : (JSON.stringify(v) ?? ""), expected, line: lineNo });
    if (typeof c.id !== "string" || !c.id) return fail('"id"', c.id, "not a comment id");
    const url = typeof c.locator?.url === "string" ? c.locator.url.trim() : "";
    if (!url) return fail('"locator.url"', c.locator?.url, "not a page address");
    const time = typeof c.time === "string" ? Date.parse(c.time) : NaN;
    if (Number.isNaN(time)) return fail('"time"', c.time, "not a date");
    if (c.delete !== undefined && typeof c.delete !== "boolean") return fail('"delete"', c.delete, "neither true nor false");
    const edited = c.edit && typeof c.edit.time === "string" ? Date.parse(c.edit.time) : NaN;
    if (!siteName && typeof c.locator?.site === "string" && c.locator.site.trim()) siteName = c.locator.site.trim().toLowerCase();
    if (!siteName) throw new ImportError(`${file}: the backup does not name its site: give the old site with --site <its address>. Nothing was imported.`);
    const deleted = c.delete === true;
    const orig = typeof c.orig === "string" ? c.orig : "";
    const html = typeof c.text === "string" ? c.text : "";
    let thread = threads.get(url);
    if (!thread) {
      thread = { title: typeof c.title === "string" ? c.title.trim() : "", comments: [] };
      threads.set(url, thread);
    }
    thread.comments.push({
      sourceId: c.id,
      parentSourceId: typeof c.pid === "string" && c.pid ? c.pid : null,
      importKey: `remark42:${siteName}:${c.id}`,
      authorName: deleted ? "" : oneLine(typeof c.user?.name === "string" ? c.user.name : "", anonymous),
      authorEmail: deleted ? null : emailOrNull(typeof c.user?.email === "string" ? c.user.email : ""),
      authorUrl: null,
      content: deleted ? "" : orig.trim() ? orig : htmlToMarkdown(html, { newlines: "html" }),
      status: deleted ? "purged" : "approved",
      heldFor: null,
      createdAt: time,
      editedAt: Number.isNaN(edited) ? null : edited,
      updatedAt: Number.isNaN(edited) ? time : edited,
      ipHash: null,
      editTokenHash: null,
      line: lineNo,
    });
  };

  return {
    get line() {
      return lineNo;
    },
    write(chunk: string) {
      buffer += chunk;
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        handle(buffer.slice(0, nl), false);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
      }
    },
    close() {
      if (buffer) handle(buffer, true);
      buffer = "";
      if (!meta) throw new ImportError(`${file}: empty: not a Remark42 backup. Nothing was imported.`);
      for (const [url, t] of threads) {
        const kept = keepErased(t.comments, sink, "comment deleted in Remark42 without replies (nothing left to keep)");
        if (!kept.length) continue;
        const h = sink.thread({ label: url, refs: [url], title: t.title || undefined });
        for (const c of kept) sink.comment(h, c);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Waline: {"type":"waline","version":1,"time":…,"tables":["Comment","Counter","Users"],
// "data":{"Comment":[{objectId, comment, insertedAt, createdAt, updatedAt, ip, link, mail, nick,
// pid, rid, sticky, status, ua, url, user_id, like}], "Users":[…]}}.

const WALINE_STATUS: Record<string, CommentStatus> = { approved: "approved", waiting: "pending", spam: "spam" };

function walineDate(value: unknown, timeZone: string): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  // Waline on LeanCloud keeps its own dates as {"__type": "Date", "iso": "2021-05-03T06:43:31.000Z"}.
  const iso = (value as { __type?: unknown; iso?: unknown } | null)?.iso;
  if (typeof value === "object" && (value as { __type?: unknown }).__type === "Date" && typeof iso === "string") return walineDate(iso, timeZone);
  if (typeof value !== "string") return NaN;
  const parts = sqlDateParts(value);
  if (parts && parts !== "invalid") return zonedTime(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], timeZone);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value.trim())) return NaN;
  return Date.parse(value);
}

export function readWaline(text: string, sink: ImportSink, opts: ParseOptions = {}): void {
  const file = opts.file ?? "the file";
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ImportError(`${file}: ${jsonErrorAt(text, err)}. Nothing was imported.`);
  }
  // The file the admin page saves, or the API's answer around it.
  const root = (data as { data?: { type?: unknown } })?.data?.type === "waline" ? (data as { data: unknown }).data : data;
  const body = root as { type?: unknown; data?: { Comment?: unknown; Users?: unknown } };
  if (typeof body !== "object" || body === null || body.type !== "waline" || !Array.isArray(body.data?.Comment))
    throw new ImportError(`${file}: not a Waline export (it should hold {"type": "waline", "data": {"Comment": […]}}). Nothing was imported.`);
  const site = needSite(opts, "a Waline export");
  sink.site({ url: opts.site });
  const anonymous = opts.anonymous ?? "Anonymous";
  const timeZone = opts.timeZone ?? "UTC";
  const users = new Map<string, { display_name?: string; email?: string; url?: string }>();
  for (const u of Array.isArray(body.data.Users) ? (body.data.Users as Record<string, unknown>[]) : [])
    users.set(String(u.objectId ?? u.id), u as { display_name?: string; email?: string; url?: string });
  const byUrl = new Map<string, SourceComment[]>();
  for (const [i, raw] of (body.data.Comment as Record<string, unknown>[]).entries()) {
    const id = raw?.objectId ?? raw?.id;
    const where = `Waline comment ${id ?? `#${i + 1}`}`;
    const fail = (field: string, v: unknown, expected: string) =>
      sink.problem({ item: where, field, value: typeof v === "string" ? v : (JSON.stringify(v) ?? ""), expected });
    if ((typeof id !== "string" && typeof id !== "number") || id === "") {
      fail('"objectId"', id, "not a comment id");
      continue;
    }
    const url = typeof raw.url === "string" ? raw.url.trim() : "";
    if (!url) {
      fail('"url"', raw.url, "not a page address");
      continue;
    }
    const status = WALINE_STATUS[String(raw.status ?? "approved")];
    if (!status) {
      fail('"status"', raw.status, "neither approved, waiting nor spam");
      continue;
    }
    const createdAt = walineDate(raw.insertedAt ?? raw.createdAt, timeZone);
    if (Number.isNaN(createdAt)) {
      fail(raw.insertedAt !== undefined ? '"insertedAt"' : '"createdAt"', raw.insertedAt ?? raw.createdAt, "not a date");
      continue;
    }
    const user = raw.user_id !== undefined && raw.user_id !== null ? users.get(String(raw.user_id)) : undefined;
    const comment = typeof raw.comment === "string" ? raw.comment : "";
    const parent = raw.pid ?? null;
    const list = byUrl.get(url) ?? [];
    byUrl.set(url, list);
    list.push({
      sourceId: String(id),
      parentSourceId: parent === null || parent === "" ? null : String(parent),
      importKey: `waline:${site}:${id}`,
      authorName: oneLine((raw.nick as string | undefined) || user?.display_name, anonymous),
      authorEmail: emailOrNull((raw.mail as string | undefined) || user?.email),
      authorUrl: websiteOrNull((raw.link as string | undefined) || user?.url),
      content: looksLikeHtml(comment) ? htmlToMarkdown(comment, { newlines: "html" }) : comment,
      status,
      heldFor: null,
      createdAt,
      editedAt: null,
      updatedAt: createdAt,
      ipHash: null,
      editTokenHash: null,
    });
  }
  for (const [url, comments] of byUrl) {
    const handle = sink.thread({ label: url, refs: [url] });
    for (const c of comments) sink.comment(handle, c);
  }
}
