// npm run bench:spam [-- --save] — the spam filter against a simulated moderator.
//
// The comments of a labelled corpus arrive one by one; the filter scores each with what it has
// learned so far, and the moderator then decides it (approve or spam), which teaches the filter, as
// the admin page does. After 50, 200 and 1,000 decisions the filter is frozen and the next 300
// comments are filed by it alone: the share of spam it sends to spam, of ham it misfiles as spam,
// and of each it holds for the moderator. The same code as the Worker's (workers/classifier.ts),
// with its counts in memory instead of D1; the thresholds are wrangler.toml's defaults.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { addDeltas, type FeatureCounts, features, score, trainingDelta } from "../workers/classifier.ts";
import { renderCommentHtml } from "../workers/render/markdown.ts";
import { ROOT } from "../scripts/content.ts";
import { type LabelledComment, makeCorpus } from "./lib/spam-corpus.ts";

export const CHECKPOINTS = [50, 200, 1_000];
const WINDOW = 300;
const SPAM_THRESHOLD = 0.9;
const HOLD_THRESHOLD = 0.6;

export interface SpamCheckpoint {
  decisions: number;
  spam: number;
  ham: number;
  spamToSpam: number;
  spamHeld: number;
  hamToSpam: number;
  hamHeld: number;
}

export interface SpamBenchResult {
  corpus: { size: number; spam: number; ham: number; seed: number };
  checkpoints: SpamCheckpoint[];
  /** Microseconds of CPU to describe and score one comment, once 1,000 decisions were learned. */
  scoreMicros: number;
  features: number;
}

type Verdict = "spam" | "held" | "passed";

export function runSpamBench(seed = 2008): SpamBenchResult {
  const corpus = makeCorpus(CHECKPOINTS.at(-1)! + WINDOW + 100, { seed });
  const prepared = corpus.map((c) => ({ c, f: features({ ...c, html: renderCommentHtml(c.content) }) }));
  const memory = new Map<string, FeatureCounts>();
  const verdict = (f: string[]): Verdict => {
    const s = score(f, memory);
    if (!s.trained) return "passed";
    return s.score >= SPAM_THRESHOLD ? "spam" : s.score >= HOLD_THRESHOLD ? "held" : "passed";
  };
  const checkpoints: SpamCheckpoint[] = [];
  let scoreMicros = 0;
  for (let i = 0; i < prepared.length; i++) {
    if (CHECKPOINTS.includes(i)) {
      const window = prepared.slice(i, i + WINDOW);
      const count = (spam: boolean, v: Verdict) => window.filter((x) => x.c.spam === spam && verdict(x.f) === v).length;
      const spam = window.filter((x) => x.c.spam).length;
      checkpoints.push({
        decisions: i,
        spam,
        ham: window.length - spam,
        spamToSpam: count(true, "spam"),
        spamHeld: count(true, "held"),
        hamToSpam: count(false, "spam"),
        hamHeld: count(false, "held"),
      });
      if (i === CHECKPOINTS.at(-1)) {
        const t = process.cpuUsage();
        for (const x of window) score(features({ ...x.c, html: renderCommentHtml(x.c.content) }), memory);
        const used = process.cpuUsage(t);
        scoreMicros = (used.user + used.system) / window.length;
      }
    }
    // The moderator decides: the filter learns.
    addDeltas(memory, trainingDelta(prepared[i].f, prepared[i].c.spam ? "spam" : "ham", null));
  }
  const spam = corpus.filter((c: LabelledComment) => c.spam).length;
  return { corpus: { size: corpus.length, spam, ham: corpus.length - spam, seed }, checkpoints, scoreMicros, features: memory.size - 1 };
}

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)} %` : "–");

export function spamMarkdown(r: SpamBenchResult): string {
  const rows = r.checkpoints.map(
    (c) =>
      `| ${c.decisions.toLocaleString("en-US")} | ${pct(c.spamToSpam, c.spam)} | ${pct(c.spamHeld, c.spam)} | ${pct(c.hamToSpam, c.ham)} | ${pct(c.hamHeld, c.ham)} |`,
  );
  return `## The spam filter (npm run bench:spam)

A simulated moderator decides a labelled corpus of ${r.corpus.size.toLocaleString("en-US")} blog comments (${r.corpus.spam} spam, ${r.corpus.ham} ham; made by
bench/lib/spam-corpus.ts, seed ${r.corpus.seed}) in arrival order; after N decisions the filter, frozen, files the next ${WINDOW} comments
alone (thresholds: spam at ${SPAM_THRESHOLD}, held at ${HOLD_THRESHOLD}). Aim: at least 90 % of spam to spam with at most 1 % of ham misfiled
after 200 decisions.

| decisions learned | spam → spam | spam held | ham → spam (misfiled) | ham held |
| ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

Describing and scoring one comment: ${r.scoreMicros.toFixed(0)} µs of CPU (${r.features.toLocaleString("en-US")} features learned); in the Worker the
counts come from D1 in the same round trip as the other checks of a new comment. The corpus is made here, so these shares say
how the filter learns, not how it does on a real blog's spam: the filter is also checked on a real corpus it has never seen.
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { save: { type: "boolean", default: false }, seed: { type: "string", default: "2008" } } });
  const result = runSpamBench(Number(values.seed));
  const md = spamMarkdown(result);
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "spam.md"), md);
  writeFileSync(join(dir, "spam.json"), `${JSON.stringify(result, null, 2)}\n`);
  if (values.save) writeFileSync(join(ROOT, "docs", "spam-filter.md"), `# billet's spam filter, measured\n\n${md.replace(/^## .*\n\n/, "")}`);
  console.log(md);
}
