// npm run bench:search [-- --posts 2000 --comments 60000 --duration 4 --keep-temp --save]
//
// Search on the large site: the generated blog (scripts/generate-blog.ts: 2,000 posts, 60,000
// comments) imported as a new user would (comments into a fresh local D1, where the triggers index
// the approved ones), built, its posts loaded into the index as `npm start` does, then served by
// wrangler dev (the rate limit off). For a common word, a rare word, a prefix and a phrase, picked
// from the index itself: the Worker isolate's own CPU per query (V8's sampling profiler,
// bench/lib/isolate-cpu.ts), D1's time per query (the page's Server-Timing: `d1` the wait as the
// Worker sees it, `sql` D1's own) and the latency, p50 and p99. Budget: at most 2 ms of the
// Worker's CPU per query. Writes bench/results/search.{md,json}; --save copies the Markdown to
// docs/bench-search.md.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildSite } from "../scripts/build.ts";
import { ROOT } from "../scripts/content.ts";
import { DEFAULT_SHAPE, writeBlog } from "../scripts/generate-blog.ts";
import { runImport } from "../scripts/import.ts";
import { wrangler } from "../scripts/local.ts";
import { SEARCH_SQL_FILE } from "../scripts/search-index.ts";
import { d1, startBillet } from "./lib/billet.ts";
import { get } from "./lib/http.ts";
import { openProfiler, type IsolateCpu } from "./lib/isolate-cpu.ts";
import { measureTogether, type LoadResult } from "./lib/load.ts";
import { killAllNow, stopAll } from "./lib/procs.ts";
import { workerBundle } from "./lib/sizes.ts";

/** The Worker's CPU a query may take. */
export const SEARCH_CPU_BUDGET_MS = 2;

export interface SearchRow {
  kind: string;
  query: string;
  results: number;
  /** Sequential queries, one at a time: Server-Timing's d1 (the Worker's wait) and sql (D1's own). */
  d1Ms: { p50: number; p99: number };
  sqlMs: { p50: number; p99: number };
  load: LoadResult | null;
  isolate: IsolateCpu | null;
}

export interface SearchResult {
  posts: number;
  comments: number;
  indexed: number;
  setupS: number;
  rows: SearchRow[];
  problems: string[];
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : Number.NaN);
const pq = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99) };
};

/** The queries, from what the index holds: its most common word, a rare one, a prefix, a phrase from a comment. */
function pickQueries(persistTo: string): { kind: string; query: string }[] {
  const vocab = (order: string) =>
    d1(persistTo, {
      command: `CREATE VIRTUAL TABLE IF NOT EXISTS bench_search_vocab USING fts5vocab('search_index', 'row'); SELECT term, doc FROM bench_search_vocab WHERE length(term) >= 4 AND term GLOB '[a-z]*' ${order} LIMIT 50;`,
    }).map((r) => ({ term: String(r.term), doc: Number(r.doc) }));
  const common = vocab("ORDER BY doc DESC");
  // The least common word (after those of a single document, often a typo's).
  const rare = vocab("ORDER BY doc > 1 DESC, doc, term");
  const text = String(
    d1(persistTo, { command: "SELECT content FROM comments WHERE status = 'approved' ORDER BY length(content) DESC, id LIMIT 1 OFFSET 100" })[0]?.content ?? "",
  );
  // Two words side by side in a comment, each of at least 4 letters.
  const words = text.split(/[^\p{L}\p{N}]+/u);
  const at = words.findIndex((w, i) => i > 0 && w.length >= 4 && (words[i + 1]?.length ?? 0) >= 4);
  const phrase = at > 0 ? `"${words[at]} ${words[at + 1]}"` : `"${common[1]?.term ?? "le"} ${common[2]?.term ?? "la"}"`;
  return [
    { kind: "common word", query: common[0]?.term ?? "les" },
    { kind: "two common words", query: `${common[1]?.term ?? "les"} ${common[2]?.term ?? "des"}` },
    { kind: "rare word", query: rare[0]?.term ?? "zzz" },
    { kind: "prefix", query: `${(common[3]?.term ?? "comm").slice(0, 3)}*` },
    { kind: "phrase", query: phrase },
  ];
}

export async function runSearchBench(o: {
  tmp: string;
  port: number;
  posts: number;
  comments: number;
  durationS: number;
  log: (line: string) => void;
}): Promise<SearchResult> {
  const started = performance.now();
  const problems: string[] = [];
  const dir = join(o.tmp, "search");
  mkdirSync(dir, { recursive: true });
  const bundling = workerBundle(join(dir, "bundle"));
  bundling.catch(() => {});
  o.log(`search: generating the blog (${o.posts} posts, ${o.comments} comments) and importing it`);
  const file = join(dir, "blog.xml");
  await writeBlog(file, { ...DEFAULT_SHAPE, posts: o.posts, comments: o.comments });
  const content = join(dir, "content");
  mkdirSync(join(content, "posts"), { recursive: true });
  copyFileSync(join(ROOT, "content", "site.json"), join(content, "site.json"));
  cpSync(join(ROOT, "content", "posts"), join(content, "posts"), { recursive: true });
  const persistTo = join(dir, "state");
  await runImport(
    { file, map: {}, remote: false, dryRun: false, pingbacks: false, persistTo, contentDir: content, sqlOut: join(dir, "import.sql"), progress: false },
    () => {},
  );
  o.log("search: building it; posts into the index and KV");
  const publicDir = join(dir, "public");
  cpSync(join(ROOT, "public"), publicDir, { recursive: true });
  const buildDir = join(dir, "build");
  const built = await buildSite({ content, public: publicDir, build: buildDir, scripts: true });
  const persist = ["--persist-to", persistTo];
  wrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], { quiet: true });
  wrangler(["kv", "bulk", "put", join(buildDir, "kv-posts.json"), "--binding", "POSTS", "--local", ...persist], { quiet: true });
  wrangler(["d1", "execute", "DB", "--local", "--file", join(buildDir, SEARCH_SQL_FILE), ...persist], { quiet: true });
  const counts = d1(persistTo, {
    command:
      "SELECT (SELECT count(*) FROM search_post_texts) AS posts, (SELECT count(*) FROM comments) AS comments, (SELECT count(*) FROM search_index) AS indexed",
  })[0];
  const queries = pickQueries(persistTo);
  const setupS = (performance.now() - started) / 1000;
  await bundling;

  const inspectorPort = o.port + 449;
  const b = await startBillet({
    tmp: dir,
    port: o.port,
    script: join(dir, "bundle", "index.js"),
    persistTo,
    publicDir,
    ceilingBytes: 0,
    direct: true,
    vars: { SEARCH_RATE_LIMIT: "off" },
    inspectorPort,
  });
  const rows: SearchRow[] = [];
  try {
    const url = (q: string) => `${b.runtimeUrl}/search?q=${encodeURIComponent(q)}`;
    for (const { kind, query } of queries) {
      const d1Times: number[] = [];
      const sqlTimes: number[] = [];
      let results = 0;
      for (let i = 0; i < 60; i++) {
        const res = await get(url(query));
        const body = await res.text();
        if (res.status !== 200) {
          problems.push(`${kind} (${query}) answered ${res.status}`);
          break;
        }
        const timing = res.headers.get("Server-Timing") ?? "";
        d1Times.push(Number(/d1;(?:desc="[^"]*";)?dur=([\d.]+)/.exec(timing)?.[1] ?? Number.NaN));
        sqlTimes.push(Number(/sql;dur=([\d.]+)/.exec(timing)?.[1] ?? Number.NaN));
        results = Number(/search-count" role="status">([\d\s\u202f,.]+|Aucun)/.exec(body)?.[1]?.replace(/\D/g, "") || 0);
      }
      if (!results) problems.push(`${kind} (${query}) found nothing`);
      rows.push({ kind, query, results, d1Ms: pq(d1Times), sqlMs: pq(sqlTimes), load: null, isolate: null });
      o.log(`  ${kind} ${query}: ${results} results; D1 p50 ${pq(sqlTimes).p50} ms`);
    }
    o.log(`search: latency (${o.durationS} s per query, 1 connection)`);
    const loads = await measureTogether(
      queries.map((q) => ({ name: q.kind, url: () => url(q.query) })),
      { connections: 1, durationS: o.durationS, warmupS: 1, rounds: 2, serverPids: [b.child.pid!], before: async () => b.ensureRuntime() },
      (line) => o.log(`  ${line}`),
    );
    loads.forEach((l, i) => {
      rows[i].load = l;
    });
    o.log("search: the Worker isolate's own CPU per query (V8's sampling profiler)");
    const profiler = await openProfiler(inspectorPort);
    try {
      for (const [i, q] of queries.entries()) {
        rows[i].isolate = await profiler.measure(url(q.query), { connections: 1, durationS: o.durationS });
        o.log(`  ${q.kind}: ${rows[i].isolate!.msPerRequest.toFixed(3)} ms`);
        if (rows[i].isolate!.msPerRequest > SEARCH_CPU_BUDGET_MS)
          problems.push(`${q.kind}: ${rows[i].isolate!.msPerRequest.toFixed(2)} ms of Worker CPU, over the budget`);
      }
    } catch (err) {
      problems.push(`the Worker isolate's CPU could not be read: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      profiler.close();
    }
  } finally {
    await b.stop();
  }
  return {
    posts: Number(counts?.posts ?? built.posts.length),
    comments: Number(counts?.comments ?? 0),
    indexed: Number(counts?.indexed ?? 0),
    setupS,
    rows,
    problems,
  };
}

const f = (x: number | undefined, d = 2) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));

export function searchMarkdown(r: SearchResult): string {
  const lines = [
    "## Search on the large site",
    "",
    `${r.posts.toLocaleString("en-US")} posts and pages in the index, ${r.comments.toLocaleString("en-US")} comments in D1 (${r.indexed.toLocaleString("en-US")} documents indexed: posts and approved comments). Queries picked from the index itself. Worker CPU: the isolate's own (V8's sampling profiler), budget ${SEARCH_CPU_BUDGET_MS} ms. D1: Server-Timing over 60 queries one at a time (\`sql\` D1's own time, \`d1\` the Worker's wait). Latency: autocannon, 1 connection, through wrangler dev's runtime socket.`,
    "",
    "| query | results | Worker CPU (ms) | D1 sql p50 / p99 (ms) | D1 wait p50 / p99 (ms) | latency p50 / p99 (ms) | req/s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.rows.map(
      (x) =>
        `| ${x.kind}: \`${x.query.replace(/\|/g, "\\|")}\` | ${x.results.toLocaleString("en-US")} | ${f(x.isolate?.msPerRequest, 3)} | ${f(x.sqlMs.p50)} / ${f(x.sqlMs.p99)} | ${f(x.d1Ms.p50, 0)} / ${f(x.d1Ms.p99, 0)} | ${f(x.load?.latencyMs.p50, 1)} / ${f(x.load?.latencyMs.p99, 1)} | ${f(x.load?.rps, 0)} |`,
    ),
    "",
    r.problems.length
      ? `Problems:\n${r.problems.map((p) => `- ${p}`).join("\n")}`
      : "No problems: every query answered 200 with results, within the CPU budget.",
    "",
  ];
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: opt } = parseArgs({
    options: {
      posts: { type: "string" },
      comments: { type: "string" },
      duration: { type: "string" },
      port: { type: "string" },
      save: { type: "boolean", default: false },
      "keep-temp": { type: "boolean", default: false },
    },
  });
  const tmp = mkdtempSync(join(tmpdir(), "billet-bench-search-"));
  const stop = () => {
    killAllNow();
    process.exit(130);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    const result = await runSearchBench({
      tmp,
      port: Number(opt.port ?? 8816),
      posts: Number(opt.posts ?? DEFAULT_SHAPE.posts),
      comments: Number(opt.comments ?? DEFAULT_SHAPE.comments),
      durationS: Number(opt.duration ?? 4),
      log: (line) => console.log(line),
    });
    const md = searchMarkdown(result);
    const out = join(ROOT, "bench", "results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "search.md"), md);
    writeFileSync(join(out, "search.json"), JSON.stringify(result, null, 2));
    if (opt.save) writeFileSync(join(ROOT, "docs", "bench-search.md"), `# Search benchmark\n\n${md}`);
    console.log(`\n${md}`);
    if (result.problems.length) process.exitCode = 1;
  } finally {
    await stopAll();
    if (opt["keep-temp"]) console.log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}
