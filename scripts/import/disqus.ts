// Disqus exports (Moderation → Export: an .xml.gz by email), read as a stream: threads (one per
// page of the old site), then posts (comments) naming their thread and parent by Disqus id.
import type { CommentStatus } from "../../workers/db/schema.ts";
import { htmlToMarkdown } from "./html-to-markdown.ts";
import { emailOrNull, oneLine, siteKey, websiteOrNull, type ImportSink, type ParseOptions } from "./formats.ts";
import { ImportError } from "./problems.ts";
import { child, text, XmlReader, type XNode } from "./xml.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function disqusDate(value: string): number {
  const s = value.trim();
  if (!ISO.test(s)) return NaN;
  return Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s}Z`);
}

/** true, false, or null when the value is neither (empty or absent counts as false). */
function bool(node: XNode | undefined, name: string): boolean | null {
  const s = text(node, name).trim().toLowerCase();
  if (s === "" || s === "false" || s === "0") return false;
  if (s === "true" || s === "1") return true;
  return null;
}

/** A string of its own: one cut from the parser's input would keep a whole chunk of the file alive. */
const own = (s: string) => (s.length ? (JSON.parse(JSON.stringify(s)) as string) : s);
const idOf = (node: XNode | undefined) => own((node?.attrs["dsq:id"] ?? "").trim());

interface ThreadRef {
  handle: number;
  key: string;
  deleted: boolean;
}

export function disqusReader(sink: ImportSink, opts: ParseOptions = {}): XmlReader {
  const anonymous = opts.anonymous ?? "Anonymous";
  const file = opts.file ?? "the file";
  let forum = opts.site ? siteKey(opts.site) : "";
  if (opts.site) sink.site({ url: opts.site });
  const threads = new Map<string, ThreadRef>();
  const unknown = new Map<string, ThreadRef>();

  const site = (line: number) => {
    if (forum) return forum;
    throw new ImportError(
      `${file}: the export does not name its Disqus forum (no <forum> before line ${line}): give the old site with --site <its address>, e.g. --site https://old.example.org. Nothing was imported.`,
    );
  };

  return new XmlReader({
    file,
    container: ["disqus"],
    onRoot: (name) => {
      if (name !== "disqus") throw new ImportError(`${file}: not a Disqus export: its root element is <${name}>, not <disqus>. Nothing was imported.`);
    },
    onChild: (node) => {
      if (node.name === "category") {
        if (!forum && text(node, "forum").trim()) forum = own(text(node, "forum").trim().toLowerCase());
      } else if (node.name === "thread") readThread(node);
      else if (node.name === "post") readPost(node);
    },
  });

  function readThread(t: XNode): void {
    if (!forum && text(t, "forum").trim()) forum = own(text(t, "forum").trim().toLowerCase());
    const dsqId = idOf(t);
    const identifier = own(text(t, "id").trim());
    const link = text(t, "link").trim();
    const title = text(t, "title").trim();
    const deleted = bool(t, "isDeleted");
    const closed = bool(t, "isClosed");
    const where = `Disqus thread ${dsqId || identifier}${title ? ` “${title}”` : ""}`;
    if (deleted === null || closed === null) {
      const field = deleted === null ? "isDeleted" : "isClosed";
      sink.problem({ item: where, field: `<${field}>`, value: text(t, field).trim(), expected: "neither true nor false", line: t.line });
      return;
    }
    // An identifier often holds the WordPress post id and address ("42 https://old.example/?p=42").
    const parts = identifier.split(/\s+/).filter(Boolean);
    const refs = [link, identifier, ...(parts.length > 1 ? parts : []), ...parts.filter((p) => /^\d+$/.test(p)).map((p) => `/?p=${p}`)].filter(Boolean);
    const created = disqusDate(text(t, "createdAt"));
    const handle = sink.thread({
      label: link || title || identifier || `thread ${dsqId}`,
      refs: [...new Set(refs)],
      title: title || undefined,
      stub: title ? { title, date: Number.isNaN(created) ? 0 : created, link, closed: closed === true } : undefined,
    });
    const ref: ThreadRef = { handle, key: dsqId || `id:${identifier}`, deleted: deleted === true };
    if (dsqId) threads.set(`dsq:${dsqId}`, ref);
    if (identifier) threads.set(`id:${identifier}`, ref);
  }

  function readPost(p: XNode): void {
    const dsqId = idOf(p);
    const id = text(p, "id").trim();
    const threadNode = child(p, "thread");
    const threadDsq = idOf(threadNode);
    const threadText = threadNode?.text.trim() ?? "";
    const where = `Disqus comment ${dsqId || id || "(no id)"}`;
    if (!dsqId && !id) {
      sink.problem({ item: where, field: 'dsq:id="…"', value: "", expected: "empty: a comment needs an id", line: p.line });
      return;
    }
    let thread = (threadDsq && threads.get(`dsq:${threadDsq}`)) || (threadText && threads.get(`id:${threadText}`)) || undefined;
    if (!thread) {
      const ref = threadDsq || threadText || "?";
      thread = unknown.get(ref);
      if (!thread) {
        thread = { handle: sink.thread({ label: `unknown Disqus thread ${ref}`, refs: [ref] }), key: ref, deleted: false };
        unknown.set(ref, thread);
      }
    }
    const deleted = bool(p, "isDeleted");
    const spam = bool(p, "isSpam");
    const approved = child(p, "isApproved") ? bool(p, "isApproved") : true;
    for (const [field, value] of [
      ["isDeleted", deleted],
      ["isSpam", spam],
      ["isApproved", approved],
    ] as const) {
      if (value === null) {
        sink.problem({ item: where, field: `<${field}>`, value: text(p, field).trim(), expected: "neither true nor false", line: p.line });
        return;
      }
    }
    const createdAt = disqusDate(text(p, "createdAt"));
    if (Number.isNaN(createdAt)) {
      sink.problem({ item: where, field: "<createdAt>", value: text(p, "createdAt").trim(), expected: "not a date (like 2012-03-02T19:17:52Z)", line: p.line });
      return;
    }
    if (thread.deleted) {
      sink.ignored("comment in a thread deleted on Disqus");
      return;
    }
    const own = dsqId ? `dsq:${dsqId}` : `id:${id}`;
    const parentNode = child(p, "parent");
    const parentDsq = idOf(parentNode);
    const parentText = parentNode?.text.trim() ?? "";
    const parent = parentDsq ? `dsq:${parentDsq}` : parentText ? `id:${parentText}` : null;
    const author = child(p, "author");
    const status: CommentStatus = deleted ? "deleted" : spam ? "spam" : approved === false ? "pending" : "approved";
    sink.comment(thread.handle, {
      sourceId: `${thread.key}/${own}`,
      parentSourceId: parent ? `${thread.key}/${parent}` : null,
      importKey: `disqus:${site(p.line)}:${thread.key}:${dsqId || `id:${id}`}`,
      authorName: oneLine(text(author, "name") || text(author, "username"), anonymous),
      authorEmail: emailOrNull(text(author, "email")),
      authorUrl: websiteOrNull(text(author, "link") || text(author, "url")),
      content: htmlToMarkdown(text(p, "message"), { newlines: "html" }),
      status,
      heldFor: null,
      createdAt,
      editedAt: null,
      updatedAt: createdAt,
      // <ipAddress> is never kept.
      ipHash: null,
      editTokenHash: null,
      line: p.line,
    });
  }
}
