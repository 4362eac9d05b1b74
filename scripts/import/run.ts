// npm run import, from the file to the SQL: read the export as a stream (gzipped or not) into a
// staging file with a progress bar, refuse it whole when it cannot be read (or, with --lenient,
// list what is left out), write the WordPress posts and pages into content/ (with the old blog's
// listings in content/redirects.json and its name, address and zone offered for site.json), match
// every thread to a post, and write the SQL a slice at a time. Memory holds one post's thread at a time.
import { closeSync, createReadStream, renameSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { createGunzip, gunzipSync } from "node:zlib";
import type { CommentStatus } from "../../workers/db/schema.ts";
import { readSite, ROOT } from "../content.ts";
import { detectFormat, siteKey, type Format, type ParseOptions, type SourceComment } from "./formats.ts";
import {
  emptyIndex,
  indexPost,
  mappedSlug,
  planThreads,
  resolveSlug,
  rowKey,
  rowValues,
  slugify,
  SqlWriter,
  sqlValue,
  type Plan,
  type StatusCounts,
} from "./plan.ts";
import { readExisting, sharedIdsOf, wpIdentity, writeItems, type ContentEntry, type ItemsResult } from "./posts.ts";
import { MediaImport, uploadsFolder } from "./media.ts";
import { normalizeHost, siteHosts } from "../../workers/http/csp.ts";
import { describeProblem, ImportError } from "./problems.ts";
import { streamingReader } from "./readers.ts";
import { readIsso, readWaline } from "./servers.ts";
import { archiveAddresses, REDIRECTS_FILE, writeArchiveAddresses } from "./archive-addresses.ts";
import { offsetSample, siteChanges, STARTER_URL, zoneOfOffsets, type SiteOffer } from "./site.ts";
import { StagingSink } from "./staging.ts";
import { normaliseUrl, plainTitle, siteOfUrl, siteOrigin, threadKey } from "../../workers/store/thread-key.ts";
import type { ThreadRow } from "../../workers/db/schema.ts";
import { parseBilletJson } from "./formats.ts";

export interface PipelineOptions {
  file: string;
  format?: Format;
  map: Record<string, string>;
  dryRun: boolean;
  pingbacks: boolean;
  /** Where the SQL goes (default build/import-<file name>.sql). */
  sqlOut?: string;
  /** The old site's address (exports that name none: Isso, Waline; or to override). */
  site?: string;
  /** The language of imported posts (default: the export's, else content/site.json's). */
  lang?: string;
  /** Media on the old site's host are rewritten to this base. */
  mediaBase?: string;
  /** --media: a copy of the old wp-content/uploads; what the export names is brought from it. */
  media?: string;
  /** --fetch-media: fetch from the old host what the folder does not have. */
  fetchMedia?: boolean;
  /** --media-host: media not brought are served from this host, allowed by the CSP (site.json media_hosts). */
  mediaHost?: string;
  /** Replace post files that are there. */
  overwrite?: boolean;
  /** Import what is sound and list what is left out, instead of refusing the file. */
  lenient?: boolean;
  /** Make a post for each thread that matches none (title and date from the export). */
  createPosts?: boolean;
  /**
   * Sites whose pages carry billet's comments (origins; default: EMBED_SITES in wrangler.toml): a
   * thread on one of their pages that matches no post goes into that page's thread (README,
   * "Comments on any site").
   */
  embedSites?: string[];
  /** The content folder (default content/). */
  contentDir?: string;
  /** Write the export's title, address, language and zone into site.json (done unasked on the starter's). */
  siteJson?: boolean;
  /** Show the progress bar (default: when standard error is a terminal). */
  progress?: boolean;
}

export interface PipelineResult {
  format: Format;
  site: string | null;
  plan: Plan;
  sqlFile: string;
  /** Statements in the SQL file (each adds many comments). */
  statements: number;
  /** The SQL file cut into parts of at most PART_BYTES at statement ends (one part when small). */
  parts: string[];
  ignored: Record<string, number>;
  /** Things imported that the summary names (pings kept with --pingbacks). */
  kept: Record<string, number>;
  inFile: Map<string, StatusCounts>;
  items?: ItemsResult;
  /** Posts made for threads that matched none (--create-posts). */
  stubs: ContentEntry[];
  /** Threads that went to other sites' pages (EMBED_SITES), by their page's address. */
  embedded: string[];
  mediaFile?: string;
  /** The old blog's category, tag, date, author and feed addresses (content/redirects.json): how many, how many new. */
  archive?: { file: string; total: number; added: number };
  /** The export's title, address, language and zone where they differ from site.json's. */
  siteOffer?: SiteOffer;
  /** The media of the export: brought in, or not and why. */
  media?: MediaImport;
  /** --media-host added to content/site.json's media_hosts by this run. */
  mediaHostAdded?: string;
  /** Items left out with --lenient, in words. */
  leftOut: string[];
  /** With --lenient, where a broken file stopped being read. */
  brokenAt?: string;
  comments: number;
}

const EMPTY = (): StatusCounts => ({ approved: 0, pending: 0, spam: 0, deleted: 0 });

// ---------------------------------------------------------------------------------------------
// The progress bar

class Progress {
  private last = 0;
  private shown = false;
  private readonly enabled: boolean;
  constructor(enabled: boolean) {
    this.enabled = enabled;
  }
  update(label: string, done: number, total: number, unit: "bytes" | "items" = "bytes"): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const bar = "#".repeat(Math.round(ratio * width)).padEnd(width, ".");
    const amount = unit === "bytes" ? `${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB` : `${done} of ${total}`;
    process.stderr.write(`\r${label} [${bar}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${amount}   `);
    this.shown = true;
  }
  end(): void {
    if (this.shown) process.stderr.write("\n");
    this.shown = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

function readHead(file: string): { gzip: boolean; head: Buffer } {
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(65536);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const raw = buf.subarray(0, n);
  const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
  if (!gzip) return { gzip, head: raw };
  // The start of a gzipped file, decompressed (a partial stream is fine for a look).
  try {
    return { gzip, head: gunzipSync(raw, { finishFlush: 2 /* Z_SYNC_FLUSH */ }).subarray(0, 65536) };
  } catch {
    return { gzip, head: Buffer.alloc(0) };
  }
}

/** The XML declaration's encoding, when it is not UTF-8. */
function declaredEncoding(head: Buffer): string {
  const m = /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.-]+)["']/i.exec(head.subarray(0, 200).toString("latin1"));
  return m ? m[1].toLowerCase() : "utf-8";
}

async function streamInto(
  file: string,
  gzip: boolean,
  encoding: string,
  reader: { write(s: string): void; close(): void },
  progress: Progress,
  label: string,
): Promise<void> {
  const total = statSync(file).size;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new ImportError(
      `${basename(file)}: its XML declaration says encoding="${encoding}", which is not known here: convert it to UTF-8 (iconv -f ${encoding} -t UTF-8). Nothing was imported.`,
    );
  }
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  const source = gzip ? input.pipe(createGunzip()) : input;
  let lines = 1;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw new ImportError(
          `${basename(file)}: not valid ${encoding.toUpperCase()} text after line ${lines} (a byte sequence that is not a character). Nothing was imported.`,
          { line: lines },
        );
      }
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
      reader.write(text);
      progress.update(label, input.bytesRead, total);
    }
    reader.write(decoder.decode());
  } catch (err) {
    if (err instanceof ImportError) throw err;
    const code = (err as { code?: string }).code;
    if (code === "Z_BUF_ERROR" || code === "Z_DATA_ERROR" || /unexpected end of file|incorrect header/i.test((err as Error).message))
      throw new ImportError(`${basename(file)}: the gzip file is damaged or truncated (it ends before its end). Nothing was imported.`);
    throw err;
  } finally {
    input.destroy();
  }
  progress.update(label, total, total);
  reader.close();
}

// ---------------------------------------------------------------------------------------------

function problemsMessage(file: string, sink: StagingSink): string {
  const list = sink.problems.slice(0, 20).map((p) => `  ${describeProblem(p)}`);
  const more = sink.problems.length > 20 ? [`  … and ${sink.problems.length - 20} more`] : [];
  return [
    `${file}: ${sink.problems.length} value(s) that do not parse:`,
    ...list,
    ...more,
    "Nothing was imported. Correct the file, or add --lenient to import everything else and list what is left out.",
  ].join("\n");
}

/** Shell-quoted, for a line to paste. */
const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

export function mapLine(file: string, ref: string, slug: string): string {
  return `npm run import -- ${quote(basename(file))} --map ${quote(`${ref}=${slug}`)}`;
}

/** "mon_billet.html" → "mon billet". */
function titleFrom(segment: string): string {
  let s = segment;
  try {
    s = decodeURIComponent(s);
  } catch {
    // keep as is
  }
  return s
    .replace(/\.(html?|php)$/, "")
    .replace(/[-_+]+/g, " ")
    .trim();
}

/** EMBED_SITES in wrangler.toml's [vars]: the sites whose pages carry billet's comments. */
function configuredEmbedSites(): string[] {
  const toml = existsSync(join(ROOT, "wrangler.toml")) ? readFileSync(join(ROOT, "wrangler.toml"), "utf8") : "";
  const m = /^EMBED_SITES\s*=\s*"([^"]*)"/m.exec(toml);
  return (m?.[1] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The page of an allowed site a thread was on (its first address that is one, relative ones read
 * against the old site's address), as its thread row; null when none is.
 */
async function embeddedPage(t: { refs: string[] }, sites: string[], base: string | null | undefined): Promise<ThreadRow | null> {
  for (const ref of t.refs) {
    let absolute: string | null = null;
    try {
      absolute = /^https?:\/\//i.test(ref) ? ref : ref.startsWith("/") && base ? new URL(ref, base).href : null;
    } catch {
      absolute = null;
    }
    const url = absolute && normaliseUrl(absolute);
    const site = url ? siteOfUrl(url, sites) : null;
    if (url && site) return { key: await threadKey(url, null), site, url, explicitId: null, title: "", createdAt: 0, createdBy: null };
  }
  return null;
}

/** Writes a post for a thread that matches none (--create-posts): its title, date and old address. */
function writeStub(
  contentDir: string,
  thread: { label: string; refs: string[]; title?: string; stub?: { title: string; date: number; link: string; closed: boolean }; first?: number },
  taken: Set<string>,
  dryRun: boolean,
  lang: string,
): (ContentEntry & { write: () => void }) | null {
  const link = thread.stub?.link || thread.refs[0] || "";
  let path = "";
  let host = "";
  try {
    const u = new URL(link, "http://host.invalid");
    path = `${u.pathname}${u.search}`;
    if (u.hostname !== "host.invalid") host = u.hostname;
  } catch {
    // no address
  }
  const last = path.replace(/\?.*$/, "").replace(/\/+$/, "").split("/").pop() ?? "";
  // Remark42, Waline and some Isso threads hold no title: the address's last part stands for one.
  const title = thread.stub?.title || thread.title || titleFrom(last) || host || link;
  if (!title) return null;
  let slug = slugify(last.replace(/\.(html?|php)$/, "")) || slugify(title) || "billet";
  for (let n = 2; taken.has(slug); n++) slug = `${slugify(last) || slugify(title)}-${n}`;
  taken.add(slug);
  const date = new Date(thread.stub?.date || thread.first || Date.now()).toISOString();
  const entry: ContentEntry = { kind: "post", slug, title, url: `/posts/${slug}/`, redirect_from: path && path !== "/" ? [path] : [] };
  const file = join(contentDir, "posts", `${slug}.md`);
  // Written once every thread is placed: another thread of the same post may add its address.
  const write = () => {
    if (dryRun || existsSync(file)) return;
    const text = [
      "---",
      `title: ${JSON.stringify(title)}`,
      `date: ${date}`,
      `lang: ${lang}`,
      `comments: ${thread.stub?.closed ? "closed" : "open"}`,
      ...(entry.redirect_from.length ? ["redirect_from:", ...entry.redirect_from.map((r) => `  - ${JSON.stringify(r)}`)] : []),
      "---",
      "",
      `<!-- Made by npm run import for the comments of ${link || title}: write the post here. -->`,
      "",
    ].join("\n");
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, text);
  };
  return { ...entry, write };
}

/** A thread's old address as a path (for a post made by --create-posts), or null. */
function threadPath(thread: { refs: string[]; stub?: { link: string } }): string | null {
  const link = thread.stub?.link || thread.refs[0] || "";
  try {
    const u = new URL(link, "http://host.invalid");
    const path = `${u.pathname}${u.search}`;
    return path && path !== "/" ? path : null;
  } catch {
    return null;
  }
}

export async function runPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const file = opts.file;
  const name = basename(file);
  if (!existsSync(file) || !statSync(file).isFile()) throw new ImportError(`${file}: no such file.`);
  const contentDir = opts.contentDir ?? join(ROOT, "content");
  const site = readSite(contentDir);
  const { gzip, head } = readHead(file);
  if (!head.length) throw new ImportError(`${name}: the file is empty${gzip ? " (or its gzip stream is damaged)" : ""}. Nothing was imported.`);
  let format: Format;
  try {
    format = opts.format ?? detectFormat(head);
  } catch (err) {
    throw new ImportError(`${name}: ${(err as Error).message}`);
  }
  const parseOpts: ParseOptions = {
    anonymous: site.lang === "fr" ? "Anonyme" : "Anonymous",
    timeZone: site.timezone,
    pingbacks: opts.pingbacks,
    site: opts.site,
    file: name,
  };
  const progress = new Progress(opts.progress ?? process.stderr.isTTY === true);
  mkdirSync(join(ROOT, "build"), { recursive: true });
  const sink = new StagingSink(join(ROOT, "build", `import-staging-${process.pid}.sqlite`));
  try {
    let brokenAt: string | undefined;
    try {
      if (format === "isso") {
        if (gzip) throw new ImportError(`${name}: an Isso database is a SQLite file: gunzip it first.`);
        readIsso(file, sink, parseOpts);
      } else if (format === "json" || format === "waline") {
        const raw = readFileSync(file);
        const text = (gzip ? gunzipSync(raw) : raw).toString("utf8").replace(/^\uFEFF/, "");
        if (format === "waline") readWaline(text, sink, parseOpts);
        else {
          const parsed = parseBilletJson(text, name);
          for (const w of parsed.warnings) sink.warn(w);
          for (const t of parsed.threads) {
            const h = sink.thread({ label: t.label, refs: t.refs, slug: t.slug });
            for (const c of t.comments) sink.comment(h, c);
          }
        }
      } else {
        const reader = streamingReader(format, sink, parseOpts)!;
        await streamInto(file, gzip, format === "remark42" ? "utf-8" : declaredEncoding(head), reader, progress, `Reading ${name}`);
      }
    } catch (err) {
      progress.end();
      if (!(err instanceof ImportError) || err.kind !== "xml" || !opts.lenient) throw err;
      brokenAt = err.message.replace(/\.? Nothing was imported\.$/, "");
    }
    progress.end();
    sink.finish();
    if (sink.problems.length && !opts.lenient) throw new ImportError(problemsMessage(name, sink));
    const leftOut = sink.problems.map(describeProblem);
    const sourceSite = opts.site ? siteKey(opts.site) : sink.siteInfo.url ? siteKey(sink.siteInfo.url) : null;

    // Posts and pages (WordPress).
    const existing = readExisting(contentDir);
    const sharedIds = sink.items > 0 ? sharedIdsOf(sink.allItems()) : new Set<string>();
    let items: ItemsResult | undefined;
    let mediaFile: string | undefined;
    let media: MediaImport | undefined;
    let mediaHostAdded: string | undefined;
    if (sink.items > 0) {
      const lang = opts.lang ?? sink.siteInfo.lang ?? site.lang;
      const oldHosts = [sink.siteInfo.url, opts.site]
        .filter((u): u is string => !!u)
        .map((u) => {
          try {
            return new URL(/^[a-z]+:\/\//i.test(u) ? u : `http://${u}`).hostname;
          } catch {
            return u;
          }
        });
      if (opts.media && !(existsSync(opts.media) && statSync(opts.media).isDirectory()))
        throw new ImportError(`--media ${opts.media}: no such folder (give a copy of the old site's wp-content/uploads). Nothing was imported.`);
      media = new MediaImport({
        folder: opts.media ? uploadsFolder(opts.media) : undefined,
        fetch: opts.fetchMedia,
        mediaHost: opts.mediaHost,
        mediaBase: opts.mediaBase,
        oldHosts,
        contentDir,
        dryRun: opts.dryRun,
        embedHosts: siteHosts((site as { embed_hosts?: unknown }).embed_hosts).hosts,
      });
      const attachmentUrls = [...sink.attachments().values()].map((a) => a.url);
      await media.bring(
        (function* () {
          yield* attachmentUrls;
          for (const item of sink.allItems()) yield item.content;
        })(),
      );
      if (opts.mediaHost) mediaHostAdded = addMediaHost(contentDir, opts.mediaHost, opts.dryRun);
      items = writeItems(sink.allItems(), existing, {
        contentDir,
        site: sourceSite ?? "site",
        overwrite: opts.overwrite ?? false,
        dryRun: opts.dryRun,
        lang,
        mediaBase: opts.mediaBase,
        oldHosts,
        attachments: sink.attachments(),
        sharedIds,
        media,
      });
      // What was not brought in, one address a line (wget -x -i takes it).
      const left = [...items.media].filter((url) => !media!.isBrought(url));
      if (left.length && !opts.dryRun) {
        mediaFile = join(ROOT, "build", `import-media-${name.replace(/[^\w.-]+/g, "_")}.txt`);
        const fd = openSync(mediaFile, "w");
        writeSync(fd, `${left.sort().join("\n")}\n`);
        closeSync(fd);
      }
    }

    // Every post and page billet has now, with its old addresses and title.
    const entries = new Map(existing.map((e) => [e.slug, e]));
    for (const e of items?.entries ?? []) entries.set(e.slug, e);
    const index = emptyIndex();
    for (const e of entries.values()) indexPost(index, e);
    const posts = new Set(entries.keys());
    for (const [from, slug] of Object.entries(opts.map)) {
      if (!posts.has(slug))
        throw new ImportError(
          `--map ${from}=${slug}: there is no post or page "${slug}" in ${relative(ROOT, join(contentDir, "posts")) || "content/posts"} or ${relative(ROOT, join(contentDir, "pages")) || "content/pages"}. Nothing was imported.`,
        );
    }

    // The old blog's listings (once the command line is known good) (categories, tags, dates, authors, feeds) to billet's.
    let archive: PipelineResult["archive"];
    if (sink.items > 0) {
      const addresses = archiveAddresses(sink.allItems(), sink.siteInfo.categoryParents);
      const added = opts.dryRun ? addresses.size : writeArchiveAddresses(contentDir, addresses);
      archive = { file: join(contentDir, REDIRECTS_FILE), total: addresses.size, added };
    }

    // The old blog's name, address, language and zone, for site.json.
    let siteOffer: SiteOffer | undefined;
    if (sink.items > 0) {
      const samples = [...sink.allItems()].flatMap((i) => offsetSample(i.date) ?? []);
      const info = sink.siteInfo;
      const lang = opts.lang ?? info.lang;
      const changes = siteChanges(site, {
        title: info.title,
        description: info.description,
        author: info.authors?.length === 1 ? info.authors[0] : undefined,
        url: opts.site ?? info.url,
        lang,
        timezone: zoneOfOffsets(samples, lang ?? site.lang, site.timezone),
      });
      const write = Object.keys(changes).length > 0 && !opts.dryRun && (opts.siteJson === true || site.url === STARTER_URL);
      if (write) {
        const path = join(contentDir, "site.json");
        // Read again: --media-host may have added to it since.
        const current = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
        writeFileSync(`${path}.tmp`, `${JSON.stringify({ ...current, ...changes }, null, 2)}\n`);
        renameSync(`${path}.tmp`, path);
      }
      siteOffer = { changes, written: write, starter: site.url === STARTER_URL };
    }

    // Threads to posts.
    const plan: Plan = { rows: [], skipped: [], orphans: 0, warnings: [...sink.warnings] };
    const groups = new Map<string, number[]>();
    const collidingKeys = commentKeysToTellApart(sink, sharedIds);
    const stubs: (ContentEntry & { write: () => void })[] = [];
    const taken = new Set(entries.keys());
    // After a break (--lenient), the post the file was cut in the middle of never came whole.
    const cutOff = brokenAt ? new Set([...sink.allItems()].map((i) => i.wpId)) : null;
    const embedSites = (opts.embedSites ?? configuredEmbedSites()).map(siteOrigin).filter((o): o is string => o !== null);
    const embedded = new Map<string, ThreadRow>();
    for (const t of sink.threads) {
      if (!t.count) continue;
      if (cutOff && t.item && !cutOff.has(t.item)) {
        leftOut.push(`${t.label}: ${t.count} comment${t.count === 1 ? "" : "s"} of a post the break cut off`);
        continue;
      }
      // A WordPress item's comments go to the post made of it (even when another item has its id).
      const own = t.item && t.itemKey ? items?.byIdentity.get(wpIdentity(sourceSite ?? "site", t.item, t.itemKey, sharedIds))?.slug : undefined;
      let slug = mappedSlug(t, opts.map) ?? own ?? resolveSlug(t, { posts, map: opts.map, index });
      // A page of a site that carries billet's comments: its own thread there, no post needed.
      const page = slug || !embedSites.length ? null : await embeddedPage(t, embedSites, opts.site ?? sink.siteInfo.url);
      if (page) {
        slug = page.key;
        const first = Math.min(...sink.commentsOf([t.handle]).map((c) => c.createdAt));
        const known = embedded.get(page.key);
        embedded.set(page.key, { ...page, createdAt: Math.min(known?.createdAt ?? first, first), title: known?.title || plainTitle(t.title ?? "") });
      }
      if (!slug && opts.createPosts) {
        const stub = writeStub(contentDir, t, taken, opts.dryRun, opts.lang ?? site.lang);
        if (stub) {
          stubs.push(stub);
          posts.add(stub.slug);
          indexPost(index, stub);
          slug = stub.slug;
        }
      } else if (slug) {
        // Another thread of a post made here (same title, another address): its address leads there too.
        const stub = stubs.find((s) => s.slug === slug);
        const path = stub && threadPath(t);
        if (stub && path && !stub.redirect_from.includes(path)) stub.redirect_from.push(path);
      }
      if (!slug) {
        plan.skipped.push({ label: t.label, comments: t.count, refs: t.refs, title: t.title });
        continue;
      }
      const list = groups.get(slug) ?? [];
      list.push(t.handle);
      groups.set(slug, list);
    }
    for (const stub of stubs) stub.write();

    // Threading a post at a time; rows wait in the staging file for the global order.
    sink.db.exec(
      "CREATE TABLE out (seq INTEGER PRIMARY KEY, sort_key INTEGER, depth INTEGER, own TEXT, parent TEXT, root TEXT, slug TEXT, status TEXT, vals TEXT)",
    );
    const put = sink.db.prepare("INSERT INTO out (sort_key, depth, own, parent, root, slug, status, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    const inFile = new Map<string, StatusCounts>();
    let done = 0;
    const total = sink.comments;
    sink.db.exec("BEGIN");
    for (const [slug, handles] of groups) {
      const comments: SourceComment[] = handles.flatMap((h) => {
        const list = sink.commentsOf([h]);
        const itemKey = sink.threads[h].itemKey;
        // The same comment id under two items that share a post id: each keeps its own key.
        if (itemKey && collidingKeys.size)
          for (const c of list) if (c.importKey && collidingKeys.has(c.importKey)) c.importKey = c.importKey.replace(/:(\d+)$/, `:${itemKey}:$1`);
        return list;
      });
      const rows = planThreads([{ slug, comments }], plan);
      for (const row of rows) {
        put.run(row.sortKey, row.depth, rowKey(row), rowKey(row.parent), rowKey(row.root), slug, row.comment.status, rowValues(row));
        if (row.comment.status !== "purged") {
          const c = inFile.get(slug) ?? EMPTY();
          c[row.comment.status as Exclude<CommentStatus, "purged">]++;
          inFile.set(slug, c);
        }
      }
      done += comments.length;
      progress.update("Threading comments", done, total, "items");
    }
    sink.db.exec("COMMIT; CREATE INDEX out_order ON out (sort_key, depth, seq)");
    progress.end();

    // The SQL, a statement of many comments at a time, in insertion order.
    const sqlFile = opts.sqlOut ?? join(ROOT, "build", `import-${name.replace(/[^\w.-]+/g, "_")}.sql`);
    mkdirSync(join(sqlFile, ".."), { recursive: true });
    const fd = openSync(sqlFile, "w");
    let statements = 0;
    let count = 0;
    // Where statements end, to cut the file into parts wrangler applies in bounded memory.
    const ends: number[] = [];
    let offset = 0;
    try {
      const head = `-- billet import of ${name}: comments already present are left as they are.\n`;
      offset += writeSync(fd, head);
      const emit = (s: string) => {
        offset += writeSync(fd, `${s};\n`);
        ends.push(offset);
        statements++;
      };
      // Other sites' pages first: a thread is there before its comments (and kept as it is when already there).
      for (const th of embedded.values()) {
        const values = [th.key, th.site, th.url, th.explicitId, th.title, th.createdAt, th.createdBy].map(sqlValue).join(", ");
        emit(`INSERT OR IGNORE INTO threads (key, site, url, explicit_id, title, created_at, created_by) VALUES (${values})`);
      }
      const writer = new SqlWriter(emit);
      for (const r of sink.db.prepare("SELECT own, parent, root, vals FROM out ORDER BY sort_key, depth, seq").iterate() as Iterable<{
        own: string;
        parent: string | null;
        root: string | null;
        vals: string;
      }>) {
        writer.add(r.vals, r.own, r.parent, r.root);
        count++;
      }
      writer.flush();
    } finally {
      closeSync(fd);
    }
    plan.rows = [];
    const parts = cutParts(sqlFile, ends);
    return {
      format,
      site: sourceSite,
      plan,
      sqlFile,
      statements,
      parts,
      ignored: sink.ignoredCounts,
      kept: sink.keptCounts,
      inFile: new Map([...inFile].sort(([a], [b]) => a.localeCompare(b))),
      items,
      stubs,
      embedded: [...embedded.values()].map((th) => th.url),
      mediaFile,
      siteOffer,
      archive,
      media,
      mediaHostAdded,
      leftOut,
      brokenAt,
      comments: count,
    };
  } finally {
    sink.close();
  }
}

/**
 * Import keys (wordpress:<site>:<post id>:<comment id>) that comments of two different items
 * sharing a post id both have: those comments take their item's type and slug into their key, so
 * that each is imported. Keys that no other item uses stay as they were (stable across runs).
 */
function commentKeysToTellApart(sink: StagingSink, sharedIds: Set<string>): Set<string> {
  const out = new Set<string>();
  if (!sharedIds.size) return out;
  const owner = new Map<string, string>();
  for (const t of sink.threads) {
    if (!t.item || !t.itemKey || !sharedIds.has(t.item)) continue;
    for (const c of sink.commentsOf([t.handle])) {
      if (!c.importKey) continue;
      const first = owner.get(c.importKey);
      if (first === undefined) owner.set(c.importKey, t.itemKey);
      else if (first !== t.itemKey) out.add(c.importKey);
    }
  }
  return out;
}

/** --media-host into content/site.json's media_hosts (the CSP allows it); the host, or undefined when there already. */
function addMediaHost(contentDir: string, value: string, dryRun: boolean): string | undefined {
  const host = normalizeHost(value);
  if (!host) throw new ImportError(`--media-host ${value}: not a host name (write it as media.example.org). Nothing was imported.`);
  const file = join(contentDir, "site.json");
  const site = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const hosts = siteHosts(site.media_hosts).hosts;
  if (hosts.includes(host)) return undefined;
  site.media_hosts = [...hosts, host];
  if (!dryRun) writeFileSync(file, `${JSON.stringify(site, null, 2)}\n`);
  return host;
}

/** The most SQL applied by one wrangler run (its memory grows with the file). */
export const PART_BYTES = 6 * 1024 * 1024;

/** The SQL file as parts of at most PART_BYTES, cut at statement ends (the file itself when small). */
function cutParts(file: string, ends: number[]): string[] {
  const size = ends.at(-1) ?? 0;
  if (size <= PART_BYTES) return [file];
  const parts: string[] = [];
  const fd = openSync(file, "r");
  try {
    let start = 0;
    let last = 0;
    const flush = (end: number) => {
      const buf = Buffer.alloc(end - start);
      readSync(fd, buf, 0, buf.length, start);
      const part = `${file.replace(/\.sql$/, "")}.part-${parts.length + 1}.sql`;
      writeFileSync(part, buf);
      parts.push(part);
      start = end;
    };
    for (const end of ends) {
      if (end - start > PART_BYTES && last > start) flush(last);
      last = end;
    }
    if (last > start) flush(last);
  } finally {
    closeSync(fd);
  }
  return parts;
}

/** Counts per post and status in a local or remote database (rows of SELECT post_slug, status, count(*)). */
export function tally(rows: { post_slug: string; status: CommentStatus; n: number }[]): Map<string, StatusCounts> {
  const out = new Map<string, StatusCounts>();
  for (const r of rows) {
    if (r.status === "purged") continue;
    const c = out.get(r.post_slug) ?? EMPTY();
    c[r.status] = r.n;
    out.set(r.post_slug, c);
  }
  return out;
}
