// npm run import -- <file> [--format wordpress|disqus|json|isso|remark42|waline] [--map old-address=slug ...]
//                          [--local | --remote] [--persist-to dir] [--dry-run] [--pingbacks] [--site address]
//                          [--lang fr|en] [--media-base address] [--overwrite] [--lenient] [--create-posts] [--site-json]
//                          [--media <copy of wp-content/uploads>] [--fetch-media] [--media-host host]
//
// Moves a blog in: from a WordPress export (WXR), its published posts and pages into content/
// (with their old addresses, answered by 301s once built) and their comments; from a Disqus export,
// an Isso database, a Remark42 backup, a Waline export or billet's own export (npm run export), the
// comments, each thread matched to its post. Replies kept as replies, statuses and dates kept,
// comment HTML turned into billet's Markdown and rendered by billet's own renderer. The export is
// read as a stream (bounded memory, a progress bar); a file that cannot be read is refused whole,
// with the line and column or the comment and field. Writes the SQL into build/ and applies it
// with wrangler (local database by default). Running it again adds only what is not there yet.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { MODERATION_STATUSES, type CommentStatus } from "../workers/db/schema.ts";
import { CONTENT, fromCwd, readPages, readPosts, readSite, ROOT } from "./content.ts";
import { SEARCH_SQL_FILE, searchIndexSql, searchTexts } from "./search-index.ts";
import { FORMATS, type Format } from "./import/formats.ts";
import { sqlValue, type StatusCounts } from "./import/plan.ts";
import { ImportError } from "./import/problems.ts";
import { mapLine, runPipeline, tally, type PipelineOptions, type PipelineResult } from "./import/run.ts";
import { refuseWhilePlaceholders } from "./deploy.ts";
import { wrangler } from "./local.ts";
import { normalizeHost } from "../workers/http/csp.ts";

/** What the command line says: the pipeline's options, and which database the SQL goes to. */
export interface ImportOptions extends PipelineOptions {
  remote: boolean;
  persistTo?: string;
}

export interface ImportResult extends PipelineResult {
  /** Per post and status, comments actually added (the rest were there already); not on a dry run. */
  added?: Map<string, StatusCounts>;
}

export { fromCwd };

const USAGE = `usage: npm run import -- <file> [--format wordpress|disqus|json|isso|remark42|waline] [--map old-address=slug ...]
                        [--local | --remote] [--persist-to <dir>] [--dry-run] [--pingbacks] [--site <old site address>]
                        [--lang fr|en] [--media-base <address>] [--overwrite] [--lenient] [--create-posts] [--site-json]
                        [--media <copy of wp-content/uploads>] [--fetch-media] [--media-host <host>]
                        [--embed-site <origin> ...]`;

export function parseArgs(argv: string[]): ImportOptions {
  const opts: ImportOptions = { file: "", map: {}, remote: false, dryRun: false, pingbacks: false };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const next = () => inline ?? value(i++, flag);
    switch (flag) {
      case "--format": {
        const f = next();
        if (!FORMATS.includes(f as Format)) throw new Error(`--format must be one of ${FORMATS.join(", ")}\n${USAGE}`);
        opts.format = f as Format;
        break;
      }
      case "--map": {
        const m = next();
        const at = m.lastIndexOf("=");
        if (at <= 0 || at === m.length - 1) throw new Error(`--map takes old-address=slug, got "${m}"`);
        opts.map[m.slice(0, at)] = m.slice(at + 1);
        break;
      }
      case "--local":
        opts.remote = false;
        break;
      case "--remote":
        opts.remote = true;
        break;
      case "--persist-to":
        opts.persistTo = fromCwd(next());
        break;
      case "--dry-run":
        opts.dryRun = true;
        break;
      case "--pingbacks":
        opts.pingbacks = true;
        break;
      case "--sql":
        opts.sqlOut = fromCwd(next());
        break;
      case "--site":
        opts.site = next();
        break;
      case "--lang": {
        const l = next();
        if (!/^[a-z]{2}(-[a-z]{2})?$/i.test(l)) throw new Error(`--lang takes a language code (fr, en), got "${l}"`);
        opts.lang = l.slice(0, 2).toLowerCase();
        break;
      }
      case "--media-base":
        opts.mediaBase = next();
        break;
      case "--media":
        opts.media = fromCwd(next());
        break;
      case "--fetch-media":
        opts.fetchMedia = true;
        break;
      case "--media-host": {
        const host = next();
        if (!normalizeHost(host)) throw new Error(`--media-host takes a host name (media.example.org), got "${host}"`);
        opts.mediaHost = host;
        break;
      }
      case "--overwrite":
        opts.overwrite = true;
        break;
      case "--lenient":
        opts.lenient = true;
        break;
      case "--create-posts":
        opts.createPosts = true;
        break;
      case "--embed-site":
        opts.embedSites = [...(opts.embedSites ?? []), next()];
        break;
      case "--site-json":
        opts.siteJson = true;
        break;
      case "--content":
        opts.contentDir = fromCwd(next());
        break;
      case "--help":
      case "-h":
        throw new Error(USAGE);
      default:
        if (arg.startsWith("-") || opts.file) throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
        else opts.file = fromCwd(arg);
    }
  }
  if (!opts.file) throw new Error(USAGE);
  if (opts.remote && opts.persistTo) throw new Error("--persist-to is for the local database only");
  if (opts.mediaHost && opts.mediaBase) throw new Error("--media-host and --media-base both say where media not brought go: give one");
  return opts;
}

const EMPTY = (): StatusCounts => ({ approved: 0, pending: 0, spam: 0, deleted: 0 });

/** The media lines of the summary: brought in, and what was not, why and where it is listed. */
function mediaSummary(r: ImportResult, opts: ImportOptions): string[] {
  const m = r.media!;
  const lines: string[] = [];
  const wrote = opts.dryRun ? "would be " : "";
  if (m.brought.size)
    lines.push(
      `Media: ${plural(m.brought.size, "file")} ${wrote}brought into ${rel(`${opts.contentDir ?? `${ROOT}/content`}/media`)}/ (served at /media/…)${m.written ? `, ${m.written} new or changed` : ""}${m.fullSizeUsed ? `; ${plural(m.fullSizeUsed, "resized copy", "resized copies")} missing, shown with the full-size file` : ""}`,
    );
  if (m.missing.size) {
    const reasons = new Map<string, number>();
    for (const reason of m.missing.values()) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const where = opts.mediaHost
      ? `on ${normalizeHost(opts.mediaHost)} (--media-host${r.mediaHostAdded ? `, ${opts.dryRun ? "would be " : ""}added to media_hosts in content/site.json` : ""})`
      : opts.mediaBase
        ? `on ${opts.mediaBase} (--media-base)`
        : "at their old addresses (blocked by the CSP unless their host is in media_hosts of content/site.json)";
    lines.push(
      `Media not brought in: ${plural(m.missing.size, "file")} (${[...reasons].map(([why, n]) => `${n} ${why}`).join(", ")}), left ${where}${r.mediaFile ? `, listed in ${rel(r.mediaFile)}` : ""}${opts.dryRun && opts.fetchMedia ? " (a dry run fetches nothing: --fetch-media tries the old host on a real run)" : ""}`,
    );
  }
  if (m.backgrounds) lines.push(`Background images (cover blocks) made images: ${m.backgrounds}`);
  if (m.framesLinked) lines.push(`Embedded frames made links (hosts not in embed_hosts of content/site.json): ${m.framesLinked}`);
  if (m.stylesRemoved) lines.push(`Inline styles removed (the CSP refuses them): ${m.stylesRemoved}`);
  return lines;
}

export async function runImport(opts: ImportOptions, log: (line: string) => void = console.log): Promise<ImportResult> {
  if (opts.remote && !opts.dryRun) refuseWhilePlaceholders(`npm run import -- ${basename(opts.file)} --remote`);
  const r: ImportResult = await runPipeline(opts);
  const slugs = [...r.inFile.keys()];
  // Counting before and after tells what was added: locally in the same run as the inserts; on
  // Cloudflare (where a file is imported as a whole) with a query on each side.
  const count = `SELECT post_slug, status, count(*) AS n FROM comments WHERE post_slug IN (${slugs.map(sqlValue).join(", ")}) GROUP BY post_slug, status;`;
  if (!opts.dryRun && r.comments > 0) {
    const where = opts.remote ? ["--remote"] : ["--local", ...(opts.persistTo ? ["--persist-to", opts.persistTo] : [])];
    type Counted = { results: { post_slug: string; status: CommentStatus; n: number }[] }[];
    const query = () =>
      tally((JSON.parse(wrangler(["d1", "execute", "DB", ...where, "--json", "--command", count], { quiet: true, online: true })) as Counted)[0].results);
    // The import_key column comes with a migration: make sure the database has it.
    wrangler(["d1", "migrations", "apply", "DB", ...where], { quiet: !opts.remote, online: opts.remote });
    let before: Map<string, StatusCounts>;
    let after: Map<string, StatusCounts>;
    if (opts.remote) {
      before = query();
      wrangler(["d1", "execute", "DB", ...where, "--file", r.sqlFile], { quiet: true, online: true });
      after = query();
    } else if (r.parts.length === 1 && r.statements <= 200) {
      writeFileSync(r.sqlFile, `${count}\n${readFileSync(r.sqlFile, "utf8")}${count}\n`);
      const out = JSON.parse(wrangler(["d1", "execute", "DB", ...where, "--file", r.sqlFile, "--json"], { quiet: true })) as Counted;
      before = tally(out[0].results);
      after = tally(out[out.length - 1].results);
    } else {
      // A large import: the file a part at a time (wrangler's memory grows with what it runs).
      before = query();
      const show = opts.progress ?? process.stderr.isTTY === true;
      for (const [i, part] of r.parts.entries()) {
        if (show) process.stderr.write(`\rApplying to the local D1 database: part ${i + 1} of ${r.parts.length}   `);
        wrangler(["d1", "execute", "DB", ...where, "--file", part], { quiet: true });
      }
      if (show) process.stderr.write("\n");
      after = query();
    }
    r.added = new Map(
      slugs.map((slug) => {
        const a = after.get(slug) ?? EMPTY();
        const b = before.get(slug) ?? EMPTY();
        return [slug, Object.fromEntries(MODERATION_STATUSES.map((s) => [s, a[s] - b[s]])) as StatusCounts];
      }),
    );
  }
  // Posts and pages written into the content folder are searchable at once (npm start and
  // npm run deploy load the same statements from the next build).
  const written = (r.items?.created.length ?? 0) + (r.items?.overwritten.length ?? 0);
  if (!opts.dryRun && written > 0) {
    const contentDir = opts.contentDir ?? CONTENT;
    const site = readSite(contentDir);
    const file = join(dirname(r.sqlFile), SEARCH_SQL_FILE);
    writeFileSync(file, searchIndexSql(searchTexts(readPosts(site, contentDir), readPages(site, contentDir))));
    const where = opts.remote ? ["--remote"] : ["--local", ...(opts.persistTo ? ["--persist-to", opts.persistTo] : [])];
    // The index comes with a migration (applied above when comments were imported).
    if (r.comments === 0) wrangler(["d1", "migrations", "apply", "DB", ...where], { quiet: true, online: opts.remote });
    wrangler(["d1", "execute", "DB", ...where, "--file", file], { quiet: true, online: opts.remote });
  }
  report(r, opts, log);
  return r;
}

const FORMAT_NAMES: Record<Format, string> = { wordpress: "WordPress", disqus: "Disqus", json: "billet", isso: "Isso", remark42: "Remark42", waline: "Waline" };

const SHOWN_ORDER = ["approved", "pending", "spam", "deleted"] as const;

function describe(c: StatusCounts): string {
  return (
    SHOWN_ORDER.filter((s) => c[s])
      .map((s) => `${c[s]} ${s}`)
      .join(", ") || "none"
  );
}

const rel = (path: string) => relative(ROOT, path) || path;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function report(r: ImportResult, opts: ImportOptions, log: (line: string) => void): void {
  const total = r.comments;
  const wrote = opts.dryRun ? "would be " : "";
  log(`${FORMAT_NAMES[r.format]} export ${basename(opts.file)}${r.site ? ` (site ${r.site})` : ""}`);
  if (r.brokenAt) log(`The file is broken: ${r.brokenAt}. Everything after that point is left out (--lenient).`);
  if (r.items) {
    const i = r.items;
    for (const kind of ["post", "page"] as const) {
      const n = (list: { kind: string }[]) => list.filter((e) => e.kind === kind).length;
      const all = n(i.entries);
      if (!all) continue;
      const twice = n(i.duplicates);
      const parts = [
        `${n(i.created)} ${wrote}created`,
        n(i.overwritten) ? `${n(i.overwritten)} ${wrote}overwritten` : "",
        n(i.unchanged) ? `${n(i.unchanged)} unchanged` : "",
        n(i.kept) ? `${n(i.kept)} already there, kept as they are (--overwrite replaces them)` : "",
      ].filter(Boolean);
      log(
        `${kind === "post" ? "Posts" : "Pages"}: ${all + twice} published in the export${twice ? ` (${twice} of them a second time)` : ""}: ${parts.join(", ")} → ${rel(`${opts.contentDir ?? `${ROOT}/content`}/${kind}s`)}/`,
      );
    }
    if (i.renamed.length)
      log(
        `Slugs made valid (the old address redirects): ${i.renamed
          .slice(0, 5)
          .map((x) => `${x.from} → ${x.to}`)
          .join(", ")}${i.renamed.length > 5 ? `, … (${i.renamed.length})` : ""}`,
      );
    for (const d of i.duplicates)
      log(`Twice in the export (same id, type and slug): ${d.kind} ${d.wpId}${d.title ? ` “${d.title}”` : ""}, imported once (${d.slug})`);
    for (const [id, list] of i.shared)
      log(
        `Id ${id} is shared by ${list.length} items of the export: each imported, told apart by type and slug (${list.map((e) => `${e.kind} ${e.url}`).join(", ")})`,
      );
    if (i.untitled.length)
      log(`Without a title in the export (their slug stands for one; write one in the front matter): ${i.untitled.map((e) => e.url).join(", ")}`);
    if (i.sticky.length)
      log(`Sticky on the old blog (billet lists posts by date, newest first; there is no sticky post): ${i.sticky.map((e) => e.url).join(", ")}`);
    if (r.media) for (const line of mediaSummary(r, opts)) log(line);
    const codes = Object.entries(i.unknownShortcodes);
    if (codes.length) log(`Shortcodes left as text (not known here): ${codes.map(([n, c]) => `[${n}] ×${c}`).join(", ")}`);
  }
  if (r.archive?.total)
    log(
      `The old blog's category, tag, date, author and feed addresses: ${plural(r.archive.total, "address", "addresses")}${opts.dryRun ? " would be" : `, ${r.archive.added} new,`} in ${rel(r.archive.file)} (each answers 301 to its billet page once built; an author's to /archives/, billet being one author's blog)`,
    );
  const offer = r.siteOffer;
  if (offer && Object.keys(offer.changes).length) {
    const list = Object.entries(offer.changes)
      .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
      .join(", ");
    const site = rel(`${opts.contentDir ?? `${ROOT}/content`}/site.json`);
    if (offer.written)
      log(
        `The old blog's ${list} written into ${site}${offer.changes.timezone ? " (every post's and comment's time shows in that zone, as on the old blog)" : ""}.`,
      );
    else if (opts.dryRun && (offer.starter || opts.siteJson))
      log(`The old blog's ${list} would be written into ${site}${offer.starter ? " (still the starter's)" : ""}.`);
    else log(`The old blog's ${list} differ from ${site}: add --site-json to write them there${opts.dryRun ? " (not on a dry run)" : ""}.`);
  }
  if (r.stubs.length)
    log(`Posts made for threads that matched none (--create-posts): ${r.stubs.map((s) => s.slug).join(", ")} (write their text in content/posts/)`);
  if (r.embedded.length)
    log(`Threads of other sites' pages (EMBED_SITES): ${r.embedded.length} (${r.embedded.slice(0, 3).join(", ")}${r.embedded.length > 3 ? ", …" : ""})`);
  log(`Comments: ${plural(total, "comment")} for ${plural(r.inFile.size, "post")}${r.statements ? ` (${plural(r.statements, "SQL statement")})` : ""}`);
  const width = Math.min(60, Math.max(0, ...[...r.inFile.keys()].map((s) => s.length)));
  const shown = [...r.inFile].slice(0, r.inFile.size > 60 ? 40 : 60);
  for (const [slug, counts] of shown) {
    const added = r.added?.get(slug);
    const addedTotal = added ? MODERATION_STATUSES.reduce((n, s) => n + added[s], 0) : undefined;
    const fileTotal = MODERATION_STATUSES.reduce((n, s) => n + counts[s], 0);
    const tail = added ? `  → ${addedTotal} added, ${fileTotal - (addedTotal ?? 0)} already there` : "";
    log(`  ${slug.padEnd(width)}  ${describe(counts)}${tail}`);
  }
  if (shown.length < r.inFile.size) {
    const sum = (m: Map<string, StatusCounts> | undefined) => {
      const c = EMPTY();
      for (const v of m?.values() ?? []) for (const s of SHOWN_ORDER) c[s] += v[s];
      return c;
    };
    const all = sum(r.inFile);
    const added = r.added ? MODERATION_STATUSES.reduce((n, s) => n + sum(r.added)[s], 0) : undefined;
    log(
      `  … and ${r.inFile.size - shown.length} more posts. In all: ${describe(all)}${added !== undefined ? `  → ${added} added, ${total - added} already there` : ""}`,
    );
  }
  if (r.plan.skipped.length) {
    const n = r.plan.skipped.reduce((sum, t) => sum + t.comments, 0);
    log(
      `Skipped ${plural(r.plan.skipped.length, "thread")}, ${plural(n, "comment")}: no post or page matches. To import one, give the slug of its post (content/posts) or page (content/pages) and run:`,
    );
    for (const t of r.plan.skipped.slice(0, 50)) {
      const ref = t.refs?.find((x) => /^https?:\/\//.test(x)) ?? t.refs?.[0] ?? t.label;
      log(`  ${t.label}  (${plural(t.comments, "comment")})${t.title && t.title !== t.label ? ` “${t.title}”` : ""}`);
      log(`    ${mapLine(opts.file, ref, "<slug>")}`);
    }
    if (r.plan.skipped.length > 50) log(`  … and ${r.plan.skipped.length - 50} more`);
    log("  (or add --create-posts to make a post for each, with its title and date)");
  }
  for (const [what, n] of Object.entries(r.kept)) log(`Kept as comments (--pingbacks): ${n} × ${what}`);
  for (const [what, n] of Object.entries(r.ignored))
    log(`Not imported: ${n} × ${what}${what === "pingback" || what === "trackback" || what === "webmention" ? " (add --pingbacks to keep them)" : ""}`);
  if (r.plan.orphans) log(`${r.plan.orphans} ${r.plan.orphans === 1 ? "reply" : "replies"} to a comment not in the file: imported at the top level`);
  if (r.leftOut.length) {
    log(`Left out (--lenient): ${plural(r.leftOut.length, "item")} (a value that does not parse, or cut off by the break):`);
    for (const l of r.leftOut) log(`  ${l}`);
  }
  for (const w of r.plan.warnings.slice(0, 20)) log(`warning: ${w}`);
  if (r.plan.warnings.length > 20) log(`warning: … and ${r.plan.warnings.length - 20} more`);
  log(`SQL: ${rel(r.sqlFile)}`);
  if (opts.dryRun)
    log(
      `Dry run: no post, page or comment was written; only the SQL it would apply (${rel(r.sqlFile)})${r.mediaFile ? ` and the list of media (${rel(r.mediaFile)})` : ""}, to read.`,
    );
  else {
    if (!total) log("No comment to import.");
    else
      log(
        opts.remote
          ? "Comments applied to the remote D1 database."
          : `Comments applied to the local D1 database${opts.persistTo ? ` in ${opts.persistTo}` : ""}.`,
      );
    if (r.items || r.stubs.length)
      log(
        opts.remote
          ? "Next: npm run deploy (builds the new posts and pages, and their redirects)."
          : "Next: npm start to see them (it builds the posts, pages and redirects), then npm run deploy.",
      );
  }
}

/** An error as the author sees it: our own messages as they are, anything else in one line (no stack trace). */
export function errorMessage(err: unknown): string {
  if (err instanceof ImportError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  if (process.env.BILLET_DEBUG) return err instanceof Error && err.stack ? err.stack : message;
  return message.split("\n").slice(0, 20).join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await runImport(parseArgs(process.argv.slice(2)));
  } catch (err) {
    console.error(errorMessage(err));
    process.exitCode = 1;
  }
}
