// npm run spam:train -- [--remote | --persist-to dir] [--dry-run] [--rebuild]
//
// Teaches the spam filter from comments already decided: every approved comment is ham, every
// spam is spam, unless the filter learned from it already (its trained_as is set). Run it after
// importing years of comments, so the filter knows the blog's spam from the first day. Running
// it again teaches nothing twice. With --rebuild, it forgets every count and learns again, with
// today's features, exactly what the comments taught it (after a change of the features;
// `npm run deploy` does it when a migration emptied the filter's memory).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addDeltas, type FeatureCounts, features, trainingDelta } from "../workers/spam/classifier.ts";
import { ROOT } from "./content.ts";
import { readAllComments } from "./export.ts";
import { sqlValue } from "./import/plan.ts";
import { wrangler } from "./local.ts";

interface Options {
  remote: boolean;
  persistTo?: string;
  dryRun: boolean;
  /** Rebuild the memory from the comments' trained_as instead of teaching the comments not learned yet. */
  rebuild?: boolean;
}

type Row = {
  id: number;
  status: string;
  trained_as: string | null;
  author_name: string;
  author_email: string | null;
  author_url: string | null;
  content: string;
  html: string;
};

const textOf = (row: Row) => ({ authorName: row.author_name, authorEmail: row.author_email, authorUrl: row.author_url, content: row.content, html: row.html });

/** Statements adding these counts to the filter's memory, 200 features each. */
function addCountsSql(delta: Map<string, FeatureCounts>): string[] {
  const lines: string[] = [];
  const entries = [...delta];
  for (let i = 0; i < entries.length; i += 200) {
    const values = entries.slice(i, i + 200).map(([f, d]) => `(${sqlValue(f)}, ${d.spam}, ${d.ham})`);
    lines.push(
      `INSERT INTO spam_features (feature, spam, ham) VALUES ${values.join(", ")} ON CONFLICT (feature) DO UPDATE SET spam = max(0, spam + excluded.spam), ham = max(0, ham + excluded.ham);`,
    );
  }
  return lines;
}

/** The SQL that adds what these comments teach; and how many of each it teaches. */
export function trainingSql(rows: Row[]): { sql: string; spam: number; ham: number } {
  const delta = new Map<string, FeatureCounts>();
  const ids = { spam: [] as number[], ham: [] as number[] };
  for (const row of rows) {
    const learn = row.status === "spam" ? "spam" : row.status === "approved" ? "ham" : null;
    if (!learn || row.trained_as) continue;
    addDeltas(delta, trainingDelta(features(textOf(row)), learn, null));
    ids[learn].push(row.id);
  }
  const lines = [`-- billet spam:train: ${ids.spam.length} spam, ${ids.ham.length} ham`, ...addCountsSql(delta)];
  for (const learn of ["spam", "ham"] as const) {
    for (let i = 0; i < ids[learn].length; i += 500) {
      lines.push(`UPDATE comments SET trained_as = '${learn}' WHERE trained_as IS NULL AND id IN (${ids[learn].slice(i, i + 500).join(", ")});`);
    }
  }
  return { sql: `${lines.join("\n")}\n`, spam: ids.spam.length, ham: ids.ham.length };
}

/**
 * The row a migration that changes the features leaves in the emptied memory, to ask for a rebuild
 * (the rebuild removes it). Not a feature any comment can have: those never start with a space.
 */
export const REBUILD_MARKER = " rebuild";

/**
 * The SQL that rebuilds the filter's whole memory from what the comments taught it (their
 * trained_as), described by today's features: after the features change, no count made with the
 * old ones is left to mix with the new (the migration that changes them empties the memory).
 */
export function rebuildSql(rows: Row[]): { sql: string; spam: number; ham: number } {
  const delta = new Map<string, FeatureCounts>();
  const taught = { spam: 0, ham: 0 };
  for (const row of rows) {
    if (row.trained_as !== "spam" && row.trained_as !== "ham") continue;
    addDeltas(delta, trainingDelta(features(textOf(row)), row.trained_as, null));
    taught[row.trained_as]++;
  }
  // The marker goes last: a rebuild cut short is asked for again.
  const lines = [
    `-- billet spam:train --rebuild: ${taught.spam} spam, ${taught.ham} ham`,
    `DELETE FROM spam_features WHERE feature <> '${REBUILD_MARKER}';`,
    ...addCountsSql(delta),
    `DELETE FROM spam_features WHERE feature = '${REBUILD_MARKER}';`,
  ];
  return { sql: `${lines.join("\n")}\n`, ...taught };
}

export function runSpamTrain(opts: Options, log: (line: string) => void = console.log): { spam: number; ham: number } {
  const rows = readAllComments({ remote: opts.remote, persistTo: opts.persistTo }) as unknown as Row[];
  const { sql, spam, ham } = opts.rebuild ? rebuildSql(rows) : trainingSql(rows);
  if (spam + ham === 0 && !opts.rebuild) {
    log("Nothing to learn: every approved comment and every spam has taught the filter already.");
    return { spam, ham };
  }
  const file = join(ROOT, "build", "spam-train.sql");
  mkdirSync(join(ROOT, "build"), { recursive: true });
  writeFileSync(file, sql);
  const what = opts.rebuild ? "rebuild the filter's memory from" : "teach the filter";
  if (opts.dryRun) {
    log(`Would ${what} ${spam} spam and ${ham} ham (SQL in build/spam-train.sql; nothing written).`);
    return { spam, ham };
  }
  wrangler(["d1", "execute", "DB", ...where(opts), "--file", file], { quiet: true, online: opts.remote });
  log(
    `${opts.rebuild ? "The filter's memory was rebuilt from" : "The filter learned from"} ${spam} spam and ${ham} ham${opts.remote ? " (on Cloudflare)" : ""}.`,
  );
  return { spam, ham };
}

const where = (opts: Pick<Options, "remote" | "persistTo">) =>
  opts.remote ? ["--remote"] : ["--local", ...(opts.persistTo ? ["--persist-to", opts.persistTo] : [])];

/**
 * After a migration emptied the filter's memory (its features changed), rebuilds it from the
 * comments that taught it; does nothing unless that migration asked for it (REBUILD_MARKER).
 * `npm run deploy` calls it once the new Worker is live.
 */
export function rebuildIfAsked(opts: Pick<Options, "remote" | "persistTo">, log: (line: string) => void = console.log): boolean {
  const out = wrangler(
    ["d1", "execute", "DB", ...where(opts), "--json", "--command", `SELECT count(*) AS asked FROM spam_features WHERE feature = '${REBUILD_MARKER}'`],
    { quiet: true, online: opts.remote },
  );
  const [{ asked }] = (JSON.parse(out) as { results: { asked: number }[] }[])[0].results;
  if (!asked) return false;
  runSpamTrain({ ...opts, dryRun: false, rebuild: true }, log);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const persistAt = args.indexOf("--persist-to");
  const unknown = args.filter((a, i) => !["--remote", "--local", "--dry-run", "--rebuild", "--persist-to"].includes(a) && i !== persistAt + 1);
  if (unknown.length) {
    console.error(`npm run spam:train -- [--remote | --persist-to dir] [--dry-run] [--rebuild]\nunexpected: ${unknown.join(" ")}`);
    process.exit(2);
  }
  runSpamTrain({
    remote: args.includes("--remote"),
    persistTo: persistAt >= 0 ? args[persistAt + 1] : undefined,
    dryRun: args.includes("--dry-run"),
    rebuild: args.includes("--rebuild"),
  });
}
