// Reading comment exports: WordPress (WXR), Disqus (XML) and billet's own JSON, into one shape:
// threads (one per post of the old site) holding comments with their source ids and parents.
// Pure functions: no file system, no database.
import { XMLParser } from "fast-xml-parser";
import * as v from "valibot";
import { COMMENT_STATUSES, type CommentStatus } from "../../workers/db/schema.ts";
import { decodeEntities, htmlToMarkdown } from "./html-to-markdown.ts";

export type Format = "wordpress" | "disqus" | "json";

export interface SourceComment {
  /** Unique within the file; parents are found by it. */
  sourceId: string;
  parentSourceId: string | null;
  /** What goes into comments.import_key (null: a comment written on billet, from a billet export). */
  importKey: string | null;
  /** billet JSON: the comment's id, kept when it is free in the target database. */
  id?: number;
  authorName: string;
  authorEmail: string | null;
  authorUrl: string | null;
  /** Markdown source (the renderer makes the HTML). */
  content: string;
  status: CommentStatus;
  heldFor: string | null;
  createdAt: number;
  editedAt: number | null;
  updatedAt: number;
  ipHash: string | null;
  editTokenHash: string | null;
}

export interface SourceThread {
  /** How the report names the thread: its old address, or its title. */
  label: string;
  /** Addresses and identifiers tried against the posts and the --map options. */
  refs: string[];
  /** A slug the source gives directly (WordPress post_name, billet post_slug). */
  slug?: string;
  comments: SourceComment[];
}

export interface ParsedExport {
  format: Format;
  threads: SourceThread[];
  /** Things in the file that are deliberately not imported, counted (pingbacks...). */
  ignored: Record<string, number>;
  warnings: string[];
}

export interface ParseOptions {
  /** Name given to a comment without one ("Anonyme" on a French site). */
  anonymous?: string;
  /** IANA zone for WordPress local dates, used only when a comment has no GMT date. */
  timeZone?: string;
  /** WordPress pingbacks and trackbacks are notices from other blogs, not comments: off by default. */
  pingbacks?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** A text value from fast-xml-parser: a string, or an element with attributes ({"#text": ...}). */
function str(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return str(value[0]);
  if (typeof value === "object") return str((value as Record<string, unknown>)["#text"]);
  return "";
}

function attr(value: unknown, name: string): string {
  if (Array.isArray(value)) return attr(value[0], name);
  if (value && typeof value === "object") return str((value as Record<string, unknown>)[`@${name}`]).trim();
  return "";
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

const ARRAYS = new Set(["rss.channel.item", "rss.channel.item.wp:comment", "disqus.thread", "disqus.post"]);

function parseXml(xml: string): Record<string, unknown> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    // Numeric character references (&#233;) outside CDATA are decoded too.
    htmlEntities: true,
    isArray: (_name, jpath) => ARRAYS.has(String(jpath)),
  });
  return parser.parse(xml) as Record<string, unknown>;
}

/** A website as billet links it: an absolute http(s) address with a host, nothing else. */
export function safeWebsite(value: string): string | null {
  if (!value || /[\s\u0000-\u001f\u007f]/.test(value)) return null;
  try {
    const url = new URL(value);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.hostname) return value;
  } catch {
    // not an address
  }
  return null;
}

/** A commenter's website from another system: "example.com" becomes "http://example.com". */
function websiteOrNull(value: string): string | null {
  const s = value.trim();
  if (!s) return null;
  return safeWebsite(/^[a-z][a-z\d+.-]*:/i.test(s) ? s : `http://${s.replace(/^\/\//, "")}`);
}

function emailOrNull(value: string): string | null {
  const s = value.trim();
  return s && s.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(s) ? s : null;
}

function oneLine(value: string, anonymous: string): string {
  const s = value.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return s || anonymous;
}

/** Milliseconds since the epoch of a wall-clock time in an IANA zone. */
export function zonedTime(y: number, mo: number, d: number, h: number, mi: number, s: number, timeZone: string): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsetAt = (t: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
        .formatToParts(new Date(t))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - t;
  };
  let t = asUtc - offsetAt(asUtc);
  t = asUtc - offsetAt(t);
  return t;
}

const SQL_DATE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

// ---------------------------------------------------------------------------------------------
// WordPress (WXR: Tools → Export → All content)

const WP_STATUS: Record<string, CommentStatus> = { "1": "approved", approve: "approved", approved: "approved", "0": "pending", hold: "pending", spam: "spam", trash: "deleted", "post-trashed": "deleted" };

/** The site part of a WordPress import key: host and path, whatever the scheme or a leading www. */
function siteKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname.replace(/^www\./, "")}${u.pathname.replace(/\/+$/, "")}`.toLowerCase();
  } catch {
    return url.trim().toLowerCase() || "site";
  }
}

export function parseWordPress(xml: string, opts: ParseOptions = {}): ParsedExport {
  const anonymous = opts.anonymous ?? "Anonymous";
  const doc = parseXml(xml);
  const channel = (doc.rss as Record<string, unknown> | undefined)?.channel as Record<string, unknown> | undefined;
  if (!channel) throw new Error("not a WordPress export (WXR): no <rss><channel>");
  const site = siteKey(str(channel["wp:base_blog_url"]) || str(channel["wp:base_site_url"]) || str(channel.link));
  const result: ParsedExport = { format: "wordpress", threads: [], ignored: {}, warnings: [] };

  for (const item of asArray(channel.item as Record<string, unknown>[])) {
    const raw = asArray(item["wp:comment"] as Record<string, unknown>[]);
    if (!raw.length) continue;
    const link = str(item.link).trim();
    const postId = str(item["wp:post_id"]).trim();
    const postDate = Date.parse(`${str(item["wp:post_date_gmt"]).trim().replace(" ", "T")}Z`);
    const thread: SourceThread = {
      label: link || str(item.title).trim() || `post ${postId}`,
      refs: [link, str(item.guid).trim(), postId ? `?p=${postId}` : ""].filter(Boolean),
      slug: str(item["wp:post_name"]).trim() || undefined,
      comments: [],
    };
    for (const c of raw) {
      const type = str(c["wp:comment_type"]).trim() || "comment";
      if ((type === "pingback" || type === "trackback") && !opts.pingbacks) {
        result.ignored[type] = (result.ignored[type] ?? 0) + 1;
        continue;
      }
      const id = str(c["wp:comment_id"]).trim();
      const parent = str(c["wp:comment_parent"]).trim();
      const approved = str(c["wp:comment_approved"]).trim();
      const status = WP_STATUS[approved];
      if (!status) result.warnings.push(`WordPress comment ${id}: unknown status "${approved}", imported as pending`);
      let createdAt = NaN;
      const gmt = SQL_DATE.exec(str(c["wp:comment_date_gmt"]).trim());
      if (gmt && gmt[1] !== "0000") createdAt = Date.UTC(+gmt[1], +gmt[2] - 1, +gmt[3], +gmt[4], +gmt[5], +gmt[6]);
      const local = SQL_DATE.exec(str(c["wp:comment_date"]).trim());
      if (Number.isNaN(createdAt) && local && local[1] !== "0000") createdAt = zonedTime(+local[1], +local[2], +local[3], +local[4], +local[5], +local[6], opts.timeZone ?? "UTC");
      if (Number.isNaN(createdAt)) {
        createdAt = Number.isNaN(postDate) ? 0 : postDate;
        result.warnings.push(`WordPress comment ${id}: no date, given its post's date`);
      }
      thread.comments.push({
        sourceId: id,
        parentSourceId: parent && parent !== "0" ? parent : null,
        importKey: `wordpress:${site}:${id}`,
        authorName: oneLine(decodeEntities(str(c["wp:comment_author"])), anonymous),
        authorEmail: emailOrNull(str(c["wp:comment_author_email"])),
        authorUrl: websiteOrNull(decodeEntities(str(c["wp:comment_author_url"]))),
        content: htmlToMarkdown(str(c["wp:comment_content"]), { newlines: "wordpress" }),
        status: status ?? "pending",
        heldFor: null,
        createdAt,
        editedAt: null,
        updatedAt: createdAt,
        // The commenter's address (wp:comment_author_IP) is never kept.
        ipHash: null,
        editTokenHash: null,
      });
    }
    if (thread.comments.length) result.threads.push(thread);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Disqus (Admin → Moderation → Export)

function disqusDate(value: string): number {
  const s = value.trim();
  if (!s) return NaN;
  return Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s}Z`);
}

const isTrue = (value: unknown) => str(value).trim().toLowerCase() === "true";

export function parseDisqus(xml: string, opts: ParseOptions = {}): ParsedExport {
  const anonymous = opts.anonymous ?? "Anonymous";
  const doc = parseXml(xml);
  const root = doc.disqus as Record<string, unknown> | undefined;
  if (!root) throw new Error("not a Disqus export: no <disqus> root element");
  const result: ParsedExport = { format: "disqus", threads: [], ignored: {}, warnings: [] };

  // Threads are referred to by their Disqus id (dsq:id) or, in hand-made files, by their <id>.
  const threads = new Map<string, SourceThread>();
  const byRef = new Map<string, SourceThread>();
  for (const t of asArray(root.thread as Record<string, unknown>[])) {
    const dsqId = attr(t, "dsq:id");
    const identifier = str(t.id).trim();
    const link = str(t.link).trim();
    const thread: SourceThread = { label: link || str(t.title).trim() || identifier || `thread ${dsqId}`, refs: [link, identifier].filter(Boolean), comments: [] };
    threads.set(dsqId || identifier, thread);
    if (dsqId) byRef.set(`dsq:${dsqId}`, thread);
    if (identifier) byRef.set(`id:${identifier}`, thread);
  }

  const posts = asArray(root.post as Record<string, unknown>[]);
  // A post's own ids, so replies find their parent whichever way they name it.
  const sourceIds = new Map<string, string>();
  for (const p of posts) {
    const dsqId = attr(p, "dsq:id");
    const id = str(p.id).trim();
    const sourceId = dsqId ? `dsq:${dsqId}` : `id:${id}`;
    if (dsqId) sourceIds.set(`dsq:${dsqId}`, sourceId);
    if (id) sourceIds.set(`id:${id}`, sourceId);
  }
  const orphanThreads = new Map<string, SourceThread>();

  for (const p of posts) {
    const dsqId = attr(p, "dsq:id");
    const id = str(p.id).trim();
    const sourceId = dsqId ? `dsq:${dsqId}` : `id:${id}`;
    const threadDsq = attr(p.thread, "dsq:id");
    const threadText = str(p.thread).trim();
    let thread = (threadDsq && byRef.get(`dsq:${threadDsq}`)) || (threadText && byRef.get(`id:${threadText}`)) || undefined;
    if (!thread) {
      const ref = threadDsq || threadText || "?";
      thread = orphanThreads.get(ref) ?? { label: `unknown Disqus thread ${ref}`, refs: [ref], comments: [] };
      orphanThreads.set(ref, thread);
    }
    const parentDsq = attr(p.parent, "dsq:id");
    const parentText = str(p.parent).trim();
    const parent = (parentDsq && sourceIds.get(`dsq:${parentDsq}`)) || (parentText && sourceIds.get(`id:${parentText}`)) || (parentDsq ? `dsq:${parentDsq}` : parentText ? `id:${parentText}` : null);
    const author = (p.author ?? {}) as Record<string, unknown>;
    let createdAt = disqusDate(str(p.createdAt));
    if (Number.isNaN(createdAt)) {
      createdAt = 0;
      result.warnings.push(`Disqus post ${dsqId || id}: no date`);
    }
    const status: CommentStatus = isTrue(p.isDeleted) ? "deleted" : isTrue(p.isSpam) ? "spam" : str(p.isApproved).trim().toLowerCase() === "false" ? "pending" : "approved";
    thread.comments.push({
      sourceId,
      parentSourceId: parent,
      importKey: dsqId ? `disqus:${dsqId}` : `disqus:id:${id}`,
      authorName: oneLine(str(author.name) || str(author.username), anonymous),
      authorEmail: emailOrNull(str(author.email)),
      authorUrl: websiteOrNull(str(author.link) || str(author.url)),
      content: htmlToMarkdown(str(p.message), { newlines: "html" }),
      status,
      heldFor: null,
      createdAt,
      editedAt: null,
      updatedAt: createdAt,
      // <ipAddress> is never kept.
      ipHash: null,
      editTokenHash: null,
    });
  }
  for (const t of [...threads.values(), ...orphanThreads.values()]) if (t.comments.length) result.threads.push(t);
  return result;
}

// ---------------------------------------------------------------------------------------------
// billet's own export (npm run export)

export const EXPORT_FORMAT = "billet-comments";

const nullableString = v.nullish(v.string());
const time = v.union([v.pipe(v.number(), v.integer()), v.pipe(v.string(), v.isoTimestamp())]);
const exportedComment = v.object({
  id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  post_slug: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,119}$/)),
  parent_id: v.nullish(v.pipe(v.number(), v.integer())),
  root_id: v.nullish(v.pipe(v.number(), v.integer())),
  depth: v.optional(v.pipe(v.number(), v.integer())),
  author_name: v.string(),
  author_email: nullableString,
  author_url: nullableString,
  content: v.string(),
  html: v.optional(v.string()),
  status: v.picklist(COMMENT_STATUSES),
  held_for: nullableString,
  created_at: time,
  edited_at: v.nullish(time),
  updated_at: v.optional(time),
  ip_hash: nullableString,
  edit_token_hash: nullableString,
  import_key: nullableString,
});
const exportFile = v.object({ format: v.literal(EXPORT_FORMAT), version: v.literal(1), comments: v.array(exportedComment) });
export type ExportedComment = v.InferOutput<typeof exportedComment>;
export type ExportFile = v.InferOutput<typeof exportFile> & { exported_at?: string };

const ms = (t: number | string) => (typeof t === "number" ? t : Date.parse(t));

export function parseBilletJson(text: string): ParsedExport {
  const parsed = v.safeParse(exportFile, JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new Error(`not a billet export: ${v.getDotPath(issue) ?? "(file)"}: ${issue.message}`);
  }
  const result: ParsedExport = { format: "json", threads: [], ignored: {}, warnings: [] };
  const bySlug = new Map<string, SourceThread>();
  for (const c of parsed.output.comments) {
    let thread = bySlug.get(c.post_slug);
    if (!thread) {
      thread = { label: c.post_slug, refs: [c.post_slug, `/posts/${c.post_slug}/`], slug: c.post_slug, comments: [] };
      bySlug.set(c.post_slug, thread);
      result.threads.push(thread);
    }
    const authorUrl = c.author_url ? safeWebsite(c.author_url) : null;
    if (c.author_url && !authorUrl) result.warnings.push(`comment ${c.id}: website "${c.author_url}" is not an http(s) address, dropped`);
    const createdAt = ms(c.created_at);
    thread.comments.push({
      sourceId: String(c.id),
      parentSourceId: c.parent_id ? String(c.parent_id) : null,
      importKey: c.import_key ?? null,
      id: c.id,
      authorName: c.author_name,
      authorEmail: c.author_email ?? null,
      authorUrl,
      content: c.content,
      status: c.status,
      heldFor: c.held_for ?? null,
      createdAt,
      editedAt: c.edited_at === null || c.edited_at === undefined ? null : ms(c.edited_at),
      updatedAt: c.updated_at === undefined ? createdAt : ms(c.updated_at),
      ipHash: c.ip_hash ?? null,
      editTokenHash: c.edit_token_hash ?? null,
    });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

export function detectFormat(text: string): Format {
  const head = text.slice(0, 4000).replace(/^\uFEFF/, "").trimStart();
  if (head.startsWith("{")) return "json";
  if (/<disqus[\s>]/.test(head)) return "disqus";
  if (/<rss[\s>]/.test(head) && /wordpress\.org\/export|xmlns:wp=/.test(head)) return "wordpress";
  throw new Error("cannot tell the file's format: use --format wordpress|disqus|json");
}

export function parseExport(text: string, format: Format, opts: ParseOptions = {}): ParsedExport {
  const body = text.replace(/^\uFEFF/, "");
  if (format === "wordpress") return parseWordPress(body, opts);
  if (format === "disqus") return parseDisqus(body, opts);
  return parseBilletJson(body);
}
