// WordPress posts and pages into content/: content/posts/<slug>.md and content/pages/<slug>.md,
// front matter (title, date in the blog's zone, author's display name, categories, tags, summary,
// comments open or closed, language, the old addresses to redirect) and the body as HTML (format:
// html), shortcodes made HTML and WordPress's automatic paragraphs applied. A file already there is
// never overwritten unless asked; writing the same post again changes nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import matter from "gray-matter";
import { RESERVED_PATHS } from "../content.ts";
import type { WpAttachment, WpItem } from "./formats.ts";
import { normalizeRef, normalizeTitle, slugify, wpItemKey } from "./plan.ts";
import type { MediaImport } from "./media.ts";
import { mediaUrls, plainText, rewriteMedia, summaryOf, wordpressBody } from "./wp-content.ts";

export interface ContentEntry {
  kind: "post" | "page";
  slug: string;
  title: string;
  url: string;
  redirect_from: string[];
  importedFrom?: string;
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === "string" && value ? [value] : []);

/** The posts and pages already in content/ (front matter only). */
export function readExisting(contentDir: string): ContentEntry[] {
  const out: ContentEntry[] = [];
  for (const kind of ["post", "page"] as const) {
    const dir = join(contentDir, `${kind}s`);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".md"))) {
      const slug = file.replace(/\.md$/, "");
      let data: Record<string, unknown> = {};
      try {
        data = matter(readFileSync(join(dir, file), "utf8")).data;
      } catch {
        // the build will say what is wrong with it
      }
      out.push({
        kind,
        slug,
        title: typeof data.title === "string" ? data.title : "",
        url: kind === "post" ? `/posts/${slug}/` : `/${slug}/`,
        redirect_from: stringList(data.redirect_from),
        importedFrom: typeof data.imported_from === "string" ? data.imported_from : undefined,
      });
    }
  }
  return out;
}

export interface WriteItemsOptions {
  contentDir: string;
  /** The old site, as in import keys (host and path). */
  site: string;
  /** Replace files that are there (else they are kept as they are). */
  overwrite: boolean;
  dryRun: boolean;
  /** The language of the posts: --lang, else the export's, else the site's. */
  lang: string;
  /** --media-base: media addresses on the old site's host move to this base. */
  mediaBase?: string;
  /** Hosts of the old site (media on them are rewritten with --media-base). */
  oldHosts: string[];
  attachments: Map<string, WpAttachment>;
  /** Ids that several different items of the export share (see wpIdentity). */
  sharedIds?: Set<string>;
  /** Media brought in (--media, --fetch-media): links rewritten, HTML made to show under the CSP. */
  media?: MediaImport;
}

/**
 * What an imported post or page is known by (its file's imported_from): the old site and the
 * item's id, and, when several different items of the export share that id, its type and slug too.
 */
export function wpIdentity(site: string, wpId: string, itemKey: string, sharedIds: Set<string> | undefined): string {
  return sharedIds?.has(wpId) ? `wordpress:${site}:${wpId}:${itemKey}` : `wordpress:${site}:${wpId}`;
}

/** The ids of an export that different items share (type and slug differ): each item is imported. */
export function sharedIdsOf(items: Iterable<WpItem>): Set<string> {
  const keys = new Map<string, Set<string>>();
  for (const item of items) {
    const set = keys.get(item.wpId) ?? new Set();
    set.add(wpItemKey(item.kind, item.postName, item.title));
    keys.set(item.wpId, set);
  }
  return new Set([...keys].filter(([, set]) => set.size > 1).map(([id]) => id));
}

export interface ItemsResult {
  created: ContentEntry[];
  unchanged: ContentEntry[];
  /** There already, different, kept as they are (no --overwrite). */
  kept: ContentEntry[];
  overwritten: ContentEntry[];
  /** Every post and page of the export, as billet now has it (for matching threads). */
  entries: ContentEntry[];
  /** Slugs changed from WordPress's (underscores, accents, collisions): old → new. */
  renamed: { from: string; to: string }[];
  /** An item twice in the export (same id, type and slug): imported once. */
  duplicates: { kind: "post" | "page"; wpId: string; title: string; slug: string }[];
  /** Ids that different items share: each imported, told apart by type and slug. */
  shared: Map<string, ContentEntry[]>;
  /** Without a title in the export: their slug stands for one. */
  untitled: ContentEntry[];
  /** Sticky on the old blog (billet lists posts by date only). */
  sticky: ContentEntry[];
  /** The item each entry was made from, by its identity (imported_from): where its comments go. */
  byIdentity: Map<string, ContentEntry>;
  media: Set<string>;
  unknownShortcodes: Record<string, number>;
}

const yamlString = (s: string) => JSON.stringify(s);
const yamlList = (list: string[]) => `[${list.map(yamlString).join(", ")}]`;

/** An old address as billet redirects it: path and query, no scheme or host. */
function oldPath(url: string): string | null {
  if (!url.trim()) return null;
  try {
    const u = new URL(url.trim(), "http://host.invalid");
    return `${u.pathname}${u.search}`;
  } catch {
    return null;
  }
}

function fileText(item: WpItem, slug: string, html: string, redirects: string[], importedFrom: string, lang: string): string {
  const excerpt = plainText(item.excerpt);
  const summary = excerpt || summaryOf(plainText(html));
  const lines = [
    "---",
    `title: ${yamlString(item.title || slug)}`,
    `date: ${item.date}`,
    ...(item.author ? [`author: ${yamlString(item.author)}`] : []),
    `lang: ${lang}`,
    ...(item.kind === "post" && item.categories.length ? [`categories: ${yamlList(item.categories)}`] : []),
    ...(item.kind === "post" && item.tags.length ? [`tags: ${yamlList(item.tags)}`] : []),
    ...(summary ? [`summary: ${yamlString(summary)}`] : []),
    // A page shows comments when it takes them or has some to show.
    ...(item.kind === "post" || item.commentsOpen || item.approvedComments ? [`comments: ${item.commentsOpen ? "open" : "closed"}`] : []),
    "format: html",
    `imported_from: ${yamlString(importedFrom)}`,
    ...(redirects.length ? ["redirect_from:", ...redirects.map((r) => `  - ${yamlString(r)}`)] : []),
    "---",
    "",
    html,
    "",
  ];
  return lines.join("\n");
}

export function writeItems(items: Iterable<WpItem>, existing: ContentEntry[], opts: WriteItemsOptions): ItemsResult {
  const result: ItemsResult = {
    created: [],
    unchanged: [],
    kept: [],
    overwritten: [],
    entries: [],
    renamed: [],
    duplicates: [],
    shared: new Map(),
    untitled: [],
    sticky: [],
    byIdentity: new Map(),
    media: new Set(),
    unknownShortcodes: {},
  };
  const bySource = new Map(existing.filter((e) => e.importedFrom).map((e) => [e.importedFrom!, e]));
  /** Old addresses already given to an item of this run (two items sharing ?p=N: the first keeps it). */
  const claimed = new Map<string, string>();
  const taken = new Map(existing.map((e) => [e.slug, e]));
  const byParent = new Map<string, WpAttachment[]>();
  for (const a of opts.attachments.values()) {
    if (a.url) result.media.add(a.url);
    const list = byParent.get(a.parentId) ?? [];
    list.push(a);
    byParent.set(a.parentId, list);
  }

  for (const item of items) {
    const itemKey = wpItemKey(item.kind, item.postName, item.title);
    const importedFrom = wpIdentity(opts.site, item.wpId, itemKey, opts.sharedIds);
    const wanted = slugify(item.postName) || slugify(item.title) || `${item.kind}-${item.wpId}`;
    if (result.byIdentity.has(importedFrom)) {
      result.duplicates.push({ kind: item.kind, wpId: item.wpId, title: item.title, slug: result.byIdentity.get(importedFrom)!.slug });
      continue;
    }
    let entry = bySource.get(importedFrom);
    // Imported before its id was shared (by an earlier export): the same type and slug or title.
    if (!entry && opts.sharedIds?.has(item.wpId)) {
      const before = `wordpress:${opts.site}:${item.wpId}`;
      entry = existing.find(
        (e) =>
          e.importedFrom === before &&
          e.kind === item.kind &&
          (e.slug === wanted || normalizeTitle(e.title) === normalizeTitle(item.title)) &&
          ![...result.byIdentity.values()].includes(e),
      );
    }
    let adopted = false;
    if (!entry) {
      let slug = item.kind === "page" && RESERVED_PATHS.has(wanted) ? `${wanted}-page` : wanted;
      const there = taken.get(slug);
      // A post written by hand with the same slug and title is the same post: its comments go there.
      if (there && !there.importedFrom && there.kind === item.kind && normalizeTitle(there.title) === normalizeTitle(item.title)) {
        entry = there;
        adopted = true;
      } else {
        if (there) slug = `${wanted}-${item.wpId}`.slice(0, 120);
        for (let n = 2; taken.has(slug); n++) slug = `${wanted.slice(0, 110)}-${item.wpId}-${n}`;
        entry = { kind: item.kind, slug, title: item.title, url: item.kind === "post" ? `/posts/${slug}/` : `/${slug}/`, redirect_from: [], importedFrom };
      }
      if (item.postName && decodeURIComponentSafe(item.postName) !== entry.slug) result.renamed.push({ from: item.postName, to: entry.slug });
    }
    taken.set(entry.slug, entry);
    bySource.set(importedFrom, entry);
    result.byIdentity.set(importedFrom, entry);
    if (opts.sharedIds?.has(item.wpId)) result.shared.set(item.wpId, [...(result.shared.get(item.wpId) ?? []), entry]);
    if (!item.title) result.untitled.push(entry);
    if (item.sticky && item.kind === "post") result.sticky.push(entry);

    // Old addresses: the permalink, ?p=N (or ?page_id=N) in the blog's folder ("/blog/?p=N" for a
    // blog that lived in /blog/), the guid.
    const redirects: string[] = [];
    const seen = new Set([normalizeRef(entry.url)]);
    const query = item.wpId ? `${item.base || "/"}?${item.kind === "page" ? "page_id" : "p"}=${item.wpId}` : null;
    for (const ref of [oldPath(item.link), query, oldPath(item.guid)]) {
      if (!ref || seen.has(normalizeRef(ref)) || normalizeRef(ref) === "/") continue;
      const owner = claimed.get(normalizeRef(ref));
      if (owner !== undefined && owner !== importedFrom) continue;
      claimed.set(normalizeRef(ref), importedFrom);
      seen.add(normalizeRef(ref));
      redirects.push(ref);
    }
    entry.redirect_from = [...new Set([...entry.redirect_from, ...redirects])];
    result.entries.push(entry);

    const body = wordpressBody(item.content, { attachments: opts.attachments, postId: item.wpId, attachmentsByParent: byParent });
    for (const [name, n] of Object.entries(body.unknownShortcodes)) result.unknownShortcodes[name] = (result.unknownShortcodes[name] ?? 0) + n;
    for (const url of mediaUrls(body.html)) result.media.add(url);
    const html = opts.media ? opts.media.rewrite(body.html) : opts.mediaBase ? rewriteMedia(body.html, opts.oldHosts, opts.mediaBase) : body.html;
    const text = fileText(item, entry.slug, html, redirects, importedFrom, opts.lang);

    const file = join(opts.contentDir, `${item.kind}s`, `${entry.slug}.md`);
    const current = existsSync(file) ? readFileSync(file, "utf8") : null;
    if (current === text) result.unchanged.push(entry);
    else if (current !== null && !opts.overwrite) result.kept.push(entry);
    else {
      (current === null ? result.created : result.overwritten).push(entry);
      if (!opts.dryRun) {
        mkdirSync(join(file, ".."), { recursive: true });
        writeFileSync(file, text);
      }
    }
    void adopted;
  }
  return result;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
