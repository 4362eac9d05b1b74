// npm run spam:train -- [--remote | --persist-to dir] [--dry-run]
//
// Teaches the spam filter from comments already decided: every approved comment is ham, every
// spam is spam, unless the filter learned from it already (its trained_as is set). Run it after
// importing years of comments, so the filter knows the blog's spam from the first day. Running
// it again teaches nothing twice.
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

/** The SQL that adds what these comments teach; and how many of each it teaches. */
export function trainingSql(rows: Row[]): { sql: string; spam: number; ham: number } {
  const delta = new Map<string, FeatureCounts>();
  const ids = { spam: [] as number[], ham: [] as number[] };
  for (const row of rows) {
    const learn = row.status === "spam" ? "spam" : row.status === "approved" ? "ham" : null;
    if (!learn || row.trained_as) continue;
    const text = { authorName: row.author_name, authorEmail: row.author_email, authorUrl: row.author_url, content: row.content, html: row.html };
    addDeltas(delta, trainingDelta(features(text), learn, null));
    ids[learn].push(row.id);
  }
  const lines = [`-- billet spam:train: ${ids.spam.length} spam, ${ids.ham.length} ham`];
  const entries = [...delta];
  for (let i = 0; i < entries.length; i += 200) {
    const values = entries.slice(i, i + 200).map(([f, d]) => `(${sqlValue(f)}, ${d.spam}, ${d.ham})`);
    lines.push(
      `INSERT INTO spam_features (feature, spam, ham) VALUES ${values.join(", ")} ON CONFLICT (feature) DO UPDATE SET spam = max(0, spam + excluded.spam), ham = max(0, ham + excluded.ham);`,
    );
  }
  for (const learn of ["spam", "ham"] as const) {
    for (let i = 0; i < ids[learn].length; i += 500) {
      lines.push(`UPDATE comments SET trained_as = '${learn}' WHERE trained_as IS NULL AND id IN (${ids[learn].slice(i, i + 500).join(", ")});`);
    }
  }
  return { sql: `${lines.join("\n")}\n`, spam: ids.spam.length, ham: ids.ham.length };
}

export function runSpamTrain(opts: Options, log: (line: string) => void = console.log): { spam: number; ham: number } {
  const rows = readAllComments({ remote: opts.remote, persistTo: opts.persistTo }) as unknown as Row[];
  const { sql, spam, ham } = trainingSql(rows);
  if (spam + ham === 0) {
    log("Nothing to learn: every approved comment and every spam has taught the filter already.");
    return { spam, ham };
  }
  const file = join(ROOT, "build", "spam-train.sql");
  mkdirSync(join(ROOT, "build"), { recursive: true });
  writeFileSync(file, sql);
  if (opts.dryRun) {
    log(`Would teach the filter ${spam} spam and ${ham} ham (SQL in build/spam-train.sql; nothing written).`);
    return { spam, ham };
  }
  const where = opts.remote ? ["--remote"] : ["--local", ...(opts.persistTo ? ["--persist-to", opts.persistTo] : [])];
  wrangler(["d1", "execute", "DB", ...where, "--file", file], { quiet: true, online: opts.remote });
  log(`The filter learned from ${spam} spam and ${ham} ham${opts.remote ? " (on Cloudflare)" : ""}.`);
  return { spam, ham };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const persistAt = args.indexOf("--persist-to");
  const unknown = args.filter((a, i) => !["--remote", "--local", "--dry-run", "--persist-to"].includes(a) && i !== persistAt + 1);
  if (unknown.length) {
    console.error(`npm run spam:train -- [--remote | --persist-to dir] [--dry-run]\nunexpected: ${unknown.join(" ")}`);
    process.exit(2);
  }
  runSpamTrain({ remote: args.includes("--remote"), persistTo: persistAt >= 0 ? args[persistAt + 1] : undefined, dryRun: args.includes("--dry-run") });
}
