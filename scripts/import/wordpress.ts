// WordPress exports (WXR 1.0, 1.1, 1.2: Tools → Export → All content), read as a stream: the
// channel's site and authors, then each <item> as it closes — a published post or page (with its
// comments), a medium (attachment), or something not imported (drafts, private, future and
// password-protected posts, menu items, revisions…), counted.
import type { CommentStatus } from "../../workers/db/schema.ts";
import { decodeEntities, htmlToMarkdown } from "./html-to-markdown.ts";
import {
  emailOrNull,
  isoWithOffset,
  offsetAt,
  oneLine,
  basePath,
  siteKey,
  sqlDateParts,
  websiteOrNull,
  zonedTime,
  type ImportSink,
  type ParseOptions,
  type WpItem,
  type WpTerm,
} from "./formats.ts";
import { wpItemKey } from "./plan.ts";
import { ImportError } from "./problems.ts";
import { child, children, text, XmlReader, type XNode } from "./xml.ts";

const WP_STATUS: Record<string, CommentStatus> = {
  "1": "approved",
  approve: "approved",
  approved: "approved",
  "0": "pending",
  hold: "pending",
  unapproved: "pending",
  spam: "spam",
  trash: "deleted",
  "post-trashed": "deleted",
};

/** Post statuses that are not imported, as the summary names them. */
const NOT_PUBLISHED: Record<string, string> = {
  draft: "draft",
  "auto-draft": "draft",
  pending: "draft awaiting review",
  private: "private post",
  future: "scheduled post",
  trash: "trashed post",
  inherit: "revision",
};
const OTHER_TYPES: Record<string, string> = {
  attachment: "attachment (medium)",
  nav_menu_item: "menu item",
  revision: "revision",
  wp_block: "reusable block",
  custom_css: "custom CSS",
  customize_changeset: "customizer change",
  oembed_cache: "embed cache",
  wp_template: "template",
  wp_template_part: "template part",
  wp_global_styles: "global styles",
  wp_navigation: "navigation menu",
  user_request: "privacy request",
  wp_font_family: "font",
  wp_font_face: "font",
};

const clean = (s: string) => decodeEntities(s).replace(/\s+/g, " ").trim();
/** A string of its own: one cut from the parser's input would keep a whole chunk of the file alive. */
const own = (s: string) => (s.length ? (JSON.parse(JSON.stringify(s)) as string) : s);

export interface WordPressState {
  site: string | null;
  authors: Map<string, string>;
  siteUrl: string;
  channelSeen: boolean;
}

/**
 * A reader for a WXR file: write() the text as it comes, close() at the end. Every item goes to
 * the sink when it closes.
 */
export function wordPressReader(sink: ImportSink, opts: ParseOptions = {}): XmlReader {
  const anonymous = opts.anonymous ?? "Anonymous";
  const timeZone = opts.timeZone ?? "UTC";
  const file = opts.file ?? "the file";
  const state: WordPressState = { site: opts.site ? siteKey(opts.site) : null, authors: new Map(), siteUrl: opts.site ?? "", channelSeen: false };
  const channelLink: Record<string, string> = {};
  const categoryParents: Record<string, string> = {};
  if (opts.site) sink.site({ url: opts.site });

  const siteOf = (line: number): string => {
    if (state.site) return state.site;
    const url = channelLink["wp:base_blog_url"] || channelLink["wp:base_site_url"] || channelLink.link;
    if (!url)
      throw new ImportError(
        `${file}: the export does not name its site (no <wp:base_site_url> or <link> before line ${line}): give it with --site <the old site's address>, e.g. --site https://old.example.org. Nothing was imported.`,
      );
    state.site = siteKey(url);
    state.siteUrl = url;
    sink.site({ url });
    return state.site;
  };

  // Comments are read as each closes (a post's fields come before its comments in WordPress's
  // exports), so that a post with thousands of comments is never held whole.
  const contexts = new WeakMap<XNode, ItemContext | null>();
  const contextOf = (item: XNode): ItemContext | null | undefined => {
    if (contexts.has(item)) return contexts.get(item);
    if (!child(item, "wp:post_id") || !child(item, "wp:status")) return undefined;
    const ctx = startItem(item);
    contexts.set(item, ctx);
    return ctx;
  };

  const reader = new XmlReader({
    file,
    container: ["rss", "channel"],
    nested: {
      names: new Set(["wp:comment"]),
      onNested: (comment, item) => {
        if (item.name !== "item") return false;
        const ctx = contextOf(item);
        if (ctx === undefined) return false;
        if (ctx === null) ctx0.skippedComments(item, 1);
        else readComment(ctx, comment);
        return true;
      },
    },
    onRoot: (name, attrs) => {
      if (name !== "rss") throw new ImportError(`${file}: not a WordPress export (WXR): its root element is <${name}>, not <rss>. Nothing was imported.`);
      // A WXR always binds WordPress's namespace; a plain RSS feed holds no post ids and no bodies.
      if (!Object.entries(attrs).some(([k, v]) => k.startsWith("xmlns:") && /wordpress\.(org|com)\/export\//i.test(v)))
        throw new ImportError(
          `${file}: not a WordPress export (WXR): <rss> does not declare WordPress's namespace (xmlns:wp="http://wordpress.org/export/1.2/"): an RSS feed? Export the site from WordPress with Tools → Export → All content. Nothing was imported.`,
        );
    },
    onChild: (node) => {
      switch (node.name) {
        case "title":
          sink.site({ title: clean(node.text) });
          return;
        case "description":
          sink.site({ description: clean(node.text) });
          return;
        case "language": {
          const lang = node.text.trim().toLowerCase().slice(0, 2);
          if (/^[a-z]{2}$/.test(lang)) sink.site({ lang });
          return;
        }
        case "link":
        case "wp:base_site_url":
        case "wp:base_blog_url":
          channelLink[node.name] = own(node.text.trim());
          return;
        case "wp:category": {
          const nicename = text(node, "wp:category_nicename").trim();
          const parent = text(node, "wp:category_parent").trim();
          if (nicename && parent) {
            categoryParents[own(nicename)] = own(parent);
            sink.site({ categoryParents });
          }
          return;
        }
        case "wp:author": {
          const login = text(node, "wp:author_login").trim();
          const display =
            clean(text(node, "wp:author_display_name")) ||
            [clean(text(node, "wp:author_first_name")), clean(text(node, "wp:author_last_name"))].filter(Boolean).join(" ");
          if (login) state.authors.set(own(login), own(display || login));
          sink.site({ authors: [...state.authors.values()] });
          return;
        }
        case "item":
          readItem(node);
          return;
        default:
          return;
      }
    },
  });

  interface ItemContext {
    type: string;
    wpId: string;
    title: string;
    link: string;
    guid: string;
    postName: string;
    kind: "post" | "page";
    /** Type and slug: with the id, what the item is known by (two items may share an id). */
    key: string;
    site: string;
    /** The thread of its comments, made at the first one. */
    thread: number | null;
    /** The post's date (a comment without one gets it), when known. */
    postDate: number;
    /** Its approved comments read so far (a page shows them). */
    approved: number;
  }

  /** What a post is, from its fields before its comments: null when it is not imported (counted). */
  function startItem(item: XNode): ItemContext | null {
    const type = text(item, "wp:post_type").trim() || "post";
    const status = text(item, "wp:status").trim() || "publish";
    const wpId = text(item, "wp:post_id").trim();
    const title = clean(text(item, "title"));
    if (type === "attachment") {
      const meta = postMeta(item);
      sink.attachment({
        wpId,
        url: text(item, "wp:attachment_url").trim() || text(item, "guid").trim(),
        parentId: text(item, "wp:post_parent").trim(),
        title,
        caption: text(item, "excerpt:encoded").trim(),
        alt: (meta.get("_wp_attachment_image_alt") ?? "").trim(),
      });
    }
    let skip: string | null = null;
    if (type !== "post" && type !== "page") skip = OTHER_TYPES[type] ?? `${type} (another kind of content)`;
    else if (status !== "publish") skip = NOT_PUBLISHED[status] ?? `${status} post`;
    else if (text(item, "wp:post_password").trim()) skip = "password-protected post";
    if (skip) {
      sink.ignored(skip);
      skipReason.set(item, skip);
      return null;
    }
    // The id is the post's identity (its file's imported_from, its comments' keys, /?p=N).
    if (!/^\d+$/.test(wpId)) {
      sink.problem({
        item: `WordPress ${type}${title ? ` “${title}”` : ""}`,
        field: "<wp:post_id>",
        value: wpId,
        expected: "not a post number",
        line: item.line,
      });
      skipReason.set(item, "post left out");
      return null;
    }
    const gmt = sqlDateParts(text(item, "wp:post_date_gmt"));
    const postDate = Array.isArray(gmt) ? Date.UTC(gmt[0], gmt[1] - 1, gmt[2], gmt[3], gmt[4], gmt[5]) : NaN;
    const kind = type === "page" ? "page" : "post";
    const postName = text(item, "wp:post_name").trim();
    return {
      type,
      wpId,
      title,
      link: text(item, "link").trim(),
      guid: text(item, "guid").trim(),
      postName,
      kind,
      key: wpItemKey(kind, postName, title),
      site: siteOf(item.line),
      thread: null,
      postDate,
      approved: 0,
    };
  }

  const skipReason = new WeakMap<XNode, string>();
  const ctx0 = {
    skippedComments(item: XNode, n: number) {
      sink.ignored(`comment on a ${skipReason.get(item) ?? "post not imported"} (not imported)`, n);
    },
  };

  function readItem(item: XNode): void {
    const known = contextOf(item);
    const ctx = known === undefined ? startItem(item) : known;
    const rest = children(item, "wp:comment");
    if (!ctx) {
      if (rest.length) ctx0.skippedComments(item, rest.length);
      return;
    }
    const label = `WordPress ${ctx.kind} ${ctx.wpId}${ctx.title ? ` “${ctx.title}”` : ""}`;
    // The date in the blog's zone: WordPress keeps the local time and the UTC time.
    const local = sqlDateParts(text(item, "wp:post_date"));
    const gmt = sqlDateParts(text(item, "wp:post_date_gmt"));
    let date: string | null = null;
    if (local === "invalid" || gmt === "invalid") {
      const field = local === "invalid" ? "wp:post_date" : "wp:post_date_gmt";
      sink.problem({ item: label, field: `<${field}>`, value: text(item, field).trim(), expected: "not a date (YYYY-MM-DD HH:MM:SS)", line: item.line });
      return;
    }
    if (gmt && local) {
      const utc = Date.UTC(gmt[0], gmt[1] - 1, gmt[2], gmt[3], gmt[4], gmt[5]);
      const offset = Math.round((Date.UTC(local[0], local[1] - 1, local[2], local[3], local[4], local[5]) - utc) / 60_000 / 15) * 15;
      date = isoWithOffset(utc, offset);
    } else if (local) {
      const utc = zonedTime(local[0], local[1], local[2], local[3], local[4], local[5], timeZone);
      date = isoWithOffset(utc, Math.round(offsetAt(utc, timeZone) / 60_000));
    } else if (gmt) {
      const utc = Date.UTC(gmt[0], gmt[1] - 1, gmt[2], gmt[3], gmt[4], gmt[5]);
      date = isoWithOffset(utc, Math.round(offsetAt(utc, timeZone) / 60_000));
    } else {
      // WXR 1.0 files made by other tools may only have the RSS date.
      const pub = Date.parse(text(item, "pubDate").trim());
      if (Number.isNaN(pub)) {
        sink.problem({ item: label, field: "<wp:post_date>", value: "", expected: "empty: a published post needs a date", line: item.line });
        return;
      }
      date = isoWithOffset(pub, Math.round(offsetAt(pub, timeZone) / 60_000));
    }
    if (Number.isNaN(ctx.postDate)) ctx.postDate = Date.parse(date);

    const categories: string[] = [];
    const tags: string[] = [];
    const terms: WpTerm[] = [];
    for (const c of children(item, "category")) {
      const name = clean(c.text);
      if (!name) continue;
      const domain = c.attrs.domain ?? "category";
      const nicename = (c.attrs.nicename ?? "").trim();
      // WXR 1.0 (WordPress 2.x) wrote tags as domain="tag".
      const kind = domain === "category" ? "categories" : domain === "post_tag" || domain === "tag" ? "tags" : null;
      if (!kind) continue;
      const list = kind === "categories" ? categories : tags;
      if (!list.includes(name)) list.push(name);
      if (nicename && !terms.some((t) => t.kind === kind && t.nicename === nicename)) terms.push({ kind, nicename: own(nicename), name });
    }
    const login = text(item, "dc:creator").trim();
    // Comments not read yet (those before the item's own fields), so that the item knows its count.
    for (const c of rest) readComment(ctx, c);
    sink.item({
      kind: ctx.kind,
      wpId: ctx.wpId,
      title: ctx.title,
      link: ctx.link,
      guid: ctx.guid,
      base: basePath(state.siteUrl),
      postName: ctx.postName,
      date,
      author: state.authors.get(login) ?? clean(login),
      categories,
      tags,
      excerpt: text(item, "excerpt:encoded"),
      content: text(item, "content:encoded"),
      commentsOpen: (text(item, "wp:comment_status").trim() || "open") === "open",
      approvedComments: ctx.approved,
      parentId: text(item, "wp:post_parent").trim(),
      sticky: text(item, "wp:is_sticky").trim() === "1",
      terms,
      authorLogin: login,
      line: item.line,
    } satisfies WpItem);
  }

  function readComment(ctx: ItemContext, c: XNode): void {
    const type = text(c, "wp:comment_type").trim() || "comment";
    const id = text(c, "wp:comment_id").trim();
    const where = `WordPress comment ${id || "(no id)"} on “${ctx.title || ctx.link}”`;
    if (type === "pingback" || type === "trackback" || type === "webmention") {
      if (!opts.pingbacks) {
        sink.ignored(type);
        return;
      }
    } else if (type !== "comment") {
      sink.ignored(`${type} (not a comment)`);
      return;
    }
    if (!/^\d+$/.test(id)) {
      sink.problem({ item: where, field: "<wp:comment_id>", value: id, expected: "not a comment number", line: c.line });
      return;
    }
    const parent = text(c, "wp:comment_parent").trim();
    if (parent && !/^\d+$/.test(parent)) {
      sink.problem({ item: where, field: "<wp:comment_parent>", value: parent, expected: "not a comment number", line: c.line });
      return;
    }
    const approved = text(c, "wp:comment_approved").trim();
    const status = WP_STATUS[approved.toLowerCase()];
    if (!status) {
      sink.problem({
        item: where,
        field: "<wp:comment_approved>",
        value: approved,
        expected: "not a status WordPress writes (1, 0, spam, trash)",
        line: c.line,
      });
      return;
    }
    const gmt = sqlDateParts(text(c, "wp:comment_date_gmt"));
    const local = sqlDateParts(text(c, "wp:comment_date"));
    if (gmt === "invalid" || local === "invalid") {
      const field = gmt === "invalid" ? "wp:comment_date_gmt" : "wp:comment_date";
      sink.problem({ item: where, field: `<${field}>`, value: text(c, field).trim(), expected: "not a date (YYYY-MM-DD HH:MM:SS)", line: c.line });
      return;
    }
    let createdAt: number;
    if (gmt) createdAt = Date.UTC(gmt[0], gmt[1] - 1, gmt[2], gmt[3], gmt[4], gmt[5]);
    else if (local) createdAt = zonedTime(local[0], local[1], local[2], local[3], local[4], local[5], timeZone);
    else {
      createdAt = Number.isNaN(ctx.postDate) ? 0 : ctx.postDate;
      sink.warn(`${where}: no date, given its post's date`);
    }
    if (ctx.thread === null) {
      ctx.thread = sink.thread({
        label: ctx.link || ctx.title || `WordPress ${ctx.kind} ${ctx.wpId}`,
        refs: [ctx.link, ctx.guid, ctx.wpId ? `${basePath(state.siteUrl)}?${ctx.kind === "page" ? "page_id" : "p"}=${ctx.wpId}` : ""].filter(Boolean),
        slug: ctx.postName || undefined,
        title: ctx.title,
        item: ctx.wpId,
        itemKey: ctx.key,
      });
    }
    if (status === "approved") ctx.approved++;
    if (type !== "comment") sink.kept(type);
    sink.comment(ctx.thread, {
      sourceId: `${ctx.wpId}:${id}`,
      parentSourceId: parent && parent !== "0" ? `${ctx.wpId}:${parent}` : null,
      importKey: `wordpress:${ctx.site}:${ctx.wpId}:${id}`,
      authorName: oneLine(decodeEntities(text(c, "wp:comment_author")), anonymous),
      authorEmail: emailOrNull(text(c, "wp:comment_author_email")),
      authorUrl: websiteOrNull(decodeEntities(text(c, "wp:comment_author_url"))),
      content: htmlToMarkdown(text(c, "wp:comment_content"), { newlines: "wordpress" }),
      status,
      heldFor: null,
      createdAt,
      editedAt: null,
      updatedAt: createdAt,
      // The commenter's address (wp:comment_author_IP) is never kept.
      ipHash: null,
      editTokenHash: null,
      line: c.line,
    });
  }

  return reader;
}

function postMeta(item: XNode): Map<string, string> {
  const meta = new Map<string, string>();
  for (const m of children(item, "wp:postmeta")) meta.set(text(m, "wp:meta_key").trim(), text(m, "wp:meta_value"));
  return meta;
}
