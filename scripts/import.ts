// npm run import -- <file> [--format wordpress|disqus|json] [--map old-address=slug ...]
//                          [--local | --remote] [--persist-to dir] [--dry-run] [--pingbacks]
//
// Brings comments from a WordPress export (WXR), a Disqus export or billet's own export
// (npm run export) into D1: threads matched to posts in content/posts, replies kept as replies,
// statuses and dates kept, comment HTML turned into billet's Markdown and rendered by billet's own
// renderer. Writes the SQL into build/ and applies it with wrangler (local database by default).
// Running it again adds only what is not there yet.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { MODERATION_STATUSES, type CommentStatus } from "../workers/db/schema.ts";
import { readPosts, readSite, ROOT } from "./content.ts";
import { detectFormat, parseExport, type Format } from "./import/formats.ts";
import { countsByPost, planImport, planSql, sqlValue, type Plan, type StatusCounts } from "./import/plan.ts";
import { refuseWhilePlaceholders } from "./deploy.ts";
import { wrangler } from "./local.ts";

export interface ImportOptions {
  file: string;
  format?: Format;
  map: Record<string, string>;
  remote: boolean;
  persistTo?: string;
  dryRun: boolean;
  pingbacks: boolean;
  /** Where the SQL goes (default build/import-<file name>.sql). */
  sqlOut?: string;
}

export interface ImportResult {
  format: Format;
  plan: Plan;
  sqlFile: string;
  ignored: Record<string, number>;
  /** Per post and status: comments in the file. */
  inFile: Map<string, StatusCounts>;
  /** Per post and status, comments actually added (the rest were there already); not on a dry run. */
  added?: Map<string, StatusCounts>;
}

/** npm run starts scripts in the project folder; paths are taken from where the command was typed. */
export const fromCwd = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);

const USAGE = `usage: npm run import -- <file> [--format wordpress|disqus|json] [--map old-address=slug ...]
                        [--local | --remote] [--persist-to <dir>] [--dry-run] [--pingbacks]`;

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
        if (f !== "wordpress" && f !== "disqus" && f !== "json") throw new Error(`--format must be wordpress, disqus or json\n${USAGE}`);
        opts.format = f;
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
  return opts;
}

const EMPTY = (): StatusCounts => ({ approved: 0, pending: 0, spam: 0, deleted: 0 });

/** Per post and status, from `SELECT post_slug, status, count(*) AS n` rows. */
function tally(rows: { post_slug: string; status: CommentStatus; n: number }[]): Map<string, StatusCounts> {
  const out = new Map<string, StatusCounts>();
  for (const r of rows) {
    if (r.status === "purged") continue;
    const c = out.get(r.post_slug) ?? EMPTY();
    c[r.status] = r.n;
    out.set(r.post_slug, c);
  }
  return out;
}

export function runImport(opts: ImportOptions, log: (line: string) => void = console.log): ImportResult {
  if (opts.remote && !opts.dryRun) refuseWhilePlaceholders(`npm run import -- ${basename(opts.file)} --remote`);
  // Disqus sends its export gzipped: read it as it comes.
  const raw = readFileSync(opts.file);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8");
  const format = opts.format ?? detectFormat(text);
  const site = readSite();
  const posts = new Set(readPosts(site).map((p) => p.slug));
  for (const [from, slug] of Object.entries(opts.map)) {
    if (!posts.has(slug)) throw new Error(`--map ${from}=${slug}: there is no post "${slug}" in content/posts`);
  }
  const parsed = parseExport(text, format, { anonymous: site.lang === "fr" ? "Anonyme" : "Anonymous", timeZone: site.timezone, pingbacks: opts.pingbacks });
  const plan = planImport(parsed, { posts, map: opts.map });
  const inFile = countsByPost(plan.rows);

  // Counting before and after tells what was added: locally in the same run as the inserts; on
  // Cloudflare (where a file is imported as a whole) with a query on each side.
  const slugs = [...inFile.keys()];
  const count = `SELECT post_slug, status, count(*) AS n FROM comments WHERE post_slug IN (${slugs.map(sqlValue).join(", ")}) GROUP BY post_slug, status;`;
  const applyLocally = !opts.dryRun && !opts.remote && plan.rows.length > 0;
  const sql = applyLocally ? `${count}\n${planSql(plan)}${count}\n` : planSql(plan);
  const sqlFile = opts.sqlOut ?? join(ROOT, "build", `import-${basename(opts.file).replace(/[^\w.-]+/g, "_")}.sql`);
  mkdirSync(join(sqlFile, ".."), { recursive: true });
  writeFileSync(sqlFile, sql);

  const result: ImportResult = { format, plan, sqlFile, ignored: parsed.ignored, inFile };
  if (!opts.dryRun && plan.rows.length) {
    const where = opts.remote ? ["--remote"] : ["--local", ...(opts.persistTo ? ["--persist-to", opts.persistTo] : [])];
    type Counted = { results: { post_slug: string; status: CommentStatus; n: number }[] }[];
    const query = () => tally((JSON.parse(wrangler(["d1", "execute", "DB", ...where, "--json", "--command", count], { quiet: true, online: true })) as Counted)[0].results);
    // The import_key column comes with a migration: make sure the database has it.
    wrangler(["d1", "migrations", "apply", "DB", ...where], { quiet: !opts.remote, online: opts.remote });
    let before: Map<string, StatusCounts>;
    let after: Map<string, StatusCounts>;
    if (opts.remote) {
      before = query();
      wrangler(["d1", "execute", "DB", ...where, "--file", sqlFile], { quiet: true, online: true });
      after = query();
    } else {
      const out = JSON.parse(wrangler(["d1", "execute", "DB", ...where, "--file", sqlFile, "--json"], { quiet: true })) as Counted;
      before = tally(out[0].results);
      after = tally(out[out.length - 1].results);
    }
    result.added = new Map(
      slugs.map((slug) => {
        const a = after.get(slug) ?? EMPTY();
        const b = before.get(slug) ?? EMPTY();
        return [slug, Object.fromEntries(MODERATION_STATUSES.map((s) => [s, a[s] - b[s]])) as StatusCounts];
      }),
    );
  }
  report(result, opts, log);
  return result;
}

const FORMAT_NAMES: Record<Format, string> = { wordpress: "WordPress", disqus: "Disqus", json: "billet export" };

const SHOWN_ORDER = ["approved", "pending", "spam", "deleted"] as const;

function describe(c: StatusCounts): string {
  return SHOWN_ORDER.filter((s) => c[s]).map((s) => `${c[s]} ${s}`).join(", ") || "none";
}

function report(r: ImportResult, opts: ImportOptions, log: (line: string) => void): void {
  const total = r.plan.rows.length;
  log(`${FORMAT_NAMES[r.format]} export ${basename(opts.file)}: ${total} comment(s) for ${r.inFile.size} post(s)`);
  const width = Math.max(0, ...[...r.inFile.keys()].map((s) => s.length));
  for (const [slug, counts] of r.inFile) {
    const added = r.added?.get(slug);
    const addedTotal = added ? MODERATION_STATUSES.reduce((n, s) => n + added[s], 0) : undefined;
    const fileTotal = MODERATION_STATUSES.reduce((n, s) => n + counts[s], 0);
    const tail = added ? `  → ${addedTotal} added, ${fileTotal - (addedTotal ?? 0)} already there` : "";
    log(`  ${slug.padEnd(width)}  ${describe(counts)}${tail}`);
  }
  if (r.plan.skipped.length) {
    const n = r.plan.skipped.reduce((sum, t) => sum + t.comments, 0);
    log(`Skipped ${r.plan.skipped.length} thread(s), ${n} comment(s): no post in content/posts matches (import them with --map <old address>=<slug>):`);
    for (const t of r.plan.skipped) log(`  ${t.label}  (${t.comments} comment(s))`);
  }
  for (const [what, n] of Object.entries(r.ignored)) log(`Not imported: ${n} ${what}(s)${what === "pingback" || what === "trackback" ? " (add --pingbacks to keep them)" : ""}`);
  if (r.plan.orphans) log(`${r.plan.orphans} ${r.plan.orphans === 1 ? "reply" : "replies"} to a comment not in the file: imported at the top level`);
  for (const w of r.plan.warnings) log(`warning: ${w}`);
  log(`SQL: ${r.sqlFile}`);
  if (opts.dryRun) log("Dry run: nothing was written to the database.");
  else if (!total) log("Nothing to import.");
  else log(opts.remote ? "Applied to the remote D1 database." : `Applied to the local D1 database${opts.persistTo ? ` in ${opts.persistTo}` : ""}.`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    runImport(parseArgs(process.argv.slice(2)));
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
