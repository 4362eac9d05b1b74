// npm run export -- [--local | --remote] [--persist-to dir] [--out file.json]
//
// Every comment in D1, whatever its status, with everything stored about it (emails included:
// this is the author's backup), as JSON that `npm run import -- file.json` reads back as it was.
// The file holds commenters' email addresses: keep it private (the default place, build/, is
// ignored by git).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMMENT_STATUSES } from "../workers/db/schema.ts";
import { fromCwd, readSite, ROOT } from "./content.ts";
import { EXPORT_FORMAT } from "./import/formats.ts";
import { refuseWhilePlaceholders } from "./deploy.ts";
import { wrangler } from "./local.ts";

export interface ExportOptions {
  remote: boolean;
  persistTo?: string;
  /** A file, or "-" for standard output; default build/comments-<date>.json. */
  out?: string;
  pageSize?: number;
}

type Row = Record<string, unknown> & { id: number; status: string };

const TIME_COLUMNS = ["created_at", "edited_at", "updated_at"];

/** Times as ISO 8601 with milliseconds (lossless for the stored integers); other columns as stored. */
function exportRow(row: Row): Row {
  const out: Row = { ...row };
  for (const col of TIME_COLUMNS) {
    const t = row[col];
    if (typeof t === "number") {
      const d = new Date(t);
      if (!Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 0 && d.getUTCFullYear() <= 9999) out[col] = d.toISOString();
    }
  }
  return out;
}

/** Reads every comment, a page at a time (by id), from the local or remote database. */
export function readAllComments(opts: ExportOptions): Row[] {
  if (opts.remote) refuseWhilePlaceholders("npm run export -- --remote");
  const where = opts.remote ? ["--remote"] : ["--local", ...(opts.persistTo ? ["--persist-to", opts.persistTo] : [])];
  const pageSize = opts.pageSize ?? 1000;
  const rows: Row[] = [];
  let last = 0;
  for (;;) {
    const out = wrangler(["d1", "execute", "DB", ...where, "--json", "--command", `SELECT * FROM comments WHERE id > ${last} ORDER BY id LIMIT ${pageSize}`], {
      quiet: true,
      online: opts.remote,
    });
    const page = (JSON.parse(out) as { results: Row[] }[])[0].results;
    rows.push(...page);
    if (page.length < pageSize) return rows;
    last = page[page.length - 1].id;
  }
}

/** The command that brings an export back, into the database it was taken from. */
export function restoreCommand(file: string, opts: Pick<ExportOptions, "remote" | "persistTo">): string {
  const shown = /^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replace(/'/g, "'\\''")}'`;
  return `npm run import -- ${shown}${opts.remote ? " --remote" : opts.persistTo ? ` --persist-to ${opts.persistTo}` : ""}`;
}

export function runExport(opts: ExportOptions, log: (line: string) => void = console.log): { file: string; count: number } {
  const comments = readAllComments(opts).map(exportRow);
  const body = {
    format: EXPORT_FORMAT,
    version: 1,
    exported_at: new Date().toISOString(),
    site: readSite().url,
    count: comments.length,
    comments,
  };
  const json = `${JSON.stringify(body, null, 2)}\n`;
  if (opts.out === "-") {
    process.stdout.write(json);
    return { file: "-", count: comments.length };
  }
  const file = opts.out ? fromCwd(opts.out) : join(ROOT, "build", `comments-${body.exported_at.replace(/[:.]/g, "-")}.json`);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, json, { mode: 0o600 });
  const byStatus = COMMENT_STATUSES.map((s) => [s, comments.filter((c) => c.status === s).length] as const).filter(([, n]) => n);
  const posts = new Set(comments.map((c) => c.post_slug)).size;
  log(
    `Exported ${comments.length} comment(s) on ${posts} post(s)${byStatus.length ? ` (${byStatus.map(([s, n]) => `${n} ${s}`).join(", ")})` : ""} to ${file}`,
  );
  log(`It holds commenters' email addresses: keep it private. Restore with: ${restoreCommand(file, opts)}`);
  return { file, count: comments.length };
}

export function parseExportArgs(argv: string[]): ExportOptions {
  const usage = "usage: npm run export -- [--local | --remote] [--persist-to <dir>] [--out <file.json> | --out -]";
  const opts: ExportOptions = { remote: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const next = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || (v.startsWith("--") && v !== "-")) throw new Error(`${flag} needs a value\n${usage}`);
      return v;
    };
    if (flag === "--local") opts.remote = false;
    else if (flag === "--remote") opts.remote = true;
    else if (flag === "--persist-to") opts.persistTo = fromCwd(next());
    else if (flag === "--out") opts.out = next();
    else throw new Error(arg === "--help" || arg === "-h" ? usage : `unexpected argument "${arg}"\n${usage}`);
  }
  if (opts.remote && opts.persistTo) throw new Error("--persist-to is for the local database only");
  return opts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const opts = parseExportArgs(process.argv.slice(2));
    runExport(opts, opts.out === "-" ? console.error : console.log);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
