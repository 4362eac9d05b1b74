// npm run bench:large — the benchmark's large-site section (also run by `npm run bench`, last;
// skipped with --no-large).
//
// Generates the default large blog (scripts/generate-blog.ts: 2,000 posts, 60,000 comments, 4 posts
// with 5,000), imports it as a new user would (scripts/import.ts, into a fresh content folder and a
// fresh --persist-to state), builds it into a temporary public/ and loads its post records into the
// local KV, then serves it with wrangler dev (bench/lib/billet.ts) twice on the same state:
// - with PAGE_CACHE=off, where every reader is the first one after an approval (workers/pages/post-page.ts
//   sharedPage: the state read from D1, the cache looked up under a key that misses, a render, the
//   copy stored): (c) that page, and the reference rows (d) the page with its cache bypassed for one
//   reader and (e) a one-query D1 read, at 1 connection, interleaved with a ceiling at 1 connection;
// - with the page cache on: (a) the page as readers get it and (b) the comments JSON, interleaved
//   with the ceiling at the usual connection count; then many readers right after an approval.
// The rows are posts of that site picked by their approved comments in D1 (about 0–10, ~30, ~300,
// the largest and its last page). Writes bench/results/large.{md,json} when run alone.
import { Agent, request as httpRequest } from "node:http";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildSite } from "../scripts/build.ts";
import { ROOT } from "../scripts/content.ts";
import { DEFAULT_SHAPE, writeBlog } from "../scripts/generate-blog.ts";
import { runImport } from "../scripts/import.ts";
import { ensureDevVars, wrangler } from "../scripts/local.ts";
import { CEILING_PATH, d1, startBillet, type Billet } from "./lib/billet.ts";
import { commentBody, postAndApprove } from "./lib/comments.ts";
import { get } from "./lib/http.ts";
import { type IsolateCpu, openProfiler } from "./lib/isolate-cpu.ts";
import { measureTogether, type LoadOptions, type LoadResult } from "./lib/load.ts";
import { killAllNow, stopAll } from "./lib/procs.ts";
import { largeBudgets, largeMarkdown, largeSummary, type LargeResult, type LargeRow, type ReadersTrial } from "./lib/report.ts";
import { workerBundle } from "./lib/sizes.ts";

/** Threads per page (wrangler.toml's COMMENTS_PER_PAGE, the Worker's default). */
const COMMENTS_PER_PAGE = 50;
const READERS = 50;
const TRIALS = 3;

export interface LargeOptions {
  /** A directory of the caller's, removed by the caller. */
  tmp: string;
  port: number;
  /** The Worker bundle to serve (`wrangler deploy --dry-run` output); made here when absent. */
  script?: string;
  durationS: number;
  warmupS: number;
  rounds: number;
  /** Connections for (a) and (b); (c), (d) and (e) run at 1. */
  connections: number;
  log: (line: string) => void;
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const n0 = (x: number) => x.toLocaleString("en-US");

/** The post closest to `target` approved comments (the first of equals). */
function closest<T extends { approved: number }>(list: T[], target: number, not: Set<T>): T | undefined {
  let best: T | undefined;
  for (const x of list) if (!not.has(x) && (!best || Math.abs(x.approved - target) < Math.abs(best.approved - target))) best = x;
  return best;
}

interface Answer {
  status: number;
  timing: string;
  count: string;
}

/**
 * n readers, each with a connection of its own opened beforehand (keep-alive, on a warm-up request
 * to `warmUrl`), so that their requests reach the server together when `send` writes them all at once.
 */
async function readersReady(warmUrl: string, n: number): Promise<{ send(url: string): Promise<Answer[]>; close(): void }> {
  const agent = new Agent({ keepAlive: true, maxSockets: n, maxFreeSockets: n });
  const one = (url: string) =>
    new Promise<Answer>((resolve) => {
      const req = httpRequest(url, { agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            timing: /page;desc="(\w+)"/.exec(String(res.headers["server-timing"] ?? ""))?.[1] ?? "",
            count: /data-count="(\d+)"/.exec(body)?.[1] ?? "",
          }),
        );
      });
      req.on("error", (err) => resolve({ status: 0, timing: "", count: err.message }));
      req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
      req.end();
    });
  const all = (url: string) => Promise.all(Array.from({ length: n }, () => one(url)));
  await all(warmUrl);
  return { send: all, close: () => agent.destroy() };
}

export async function runLargeBench(o: LargeOptions): Promise<LargeResult> {
  const started = performance.now();
  const dir = join(o.tmp, "large");
  mkdirSync(dir, { recursive: true });
  const problems: string[] = [];

  // 1. The Worker (when the caller has none), bundled while the export is written and imported.
  const bundling = o.script ? null : workerBundle(join(dir, "bundle"));
  bundling?.catch(() => {}); // awaited below
  o.log(`large site: generating the export (${n0(DEFAULT_SHAPE.posts)} posts, ${n0(DEFAULT_SHAPE.comments)} comments)`);
  let t = performance.now();
  const file = join(dir, "large-blog.xml");
  const counts = await writeBlog(file, DEFAULT_SHAPE);
  const generateS = seconds(t);

  // 2. Imported as a new user would: posts into a fresh content folder, comments into a fresh state.
  o.log("large site: importing it (posts into a temporary content folder, comments into a fresh local D1)");
  t = performance.now();
  const content = join(dir, "content");
  mkdirSync(join(content, "posts"), { recursive: true });
  copyFileSync(join(ROOT, "content", "site.json"), join(content, "site.json"));
  cpSync(join(ROOT, "content", "posts"), join(content, "posts"), { recursive: true });
  const persistTo = join(dir, "state");
  const imported = await runImport(
    { file, map: {}, remote: false, dryRun: false, pingbacks: false, persistTo, contentDir: content, sqlOut: join(dir, "import.sql"), progress: false },
    () => {},
  );
  const importS = seconds(t);

  // 3. Built into a temporary copy of public/ (the project's static files, then the site's pages),
  //    its post records into the local KV.
  o.log("large site: building it; post records into the local KV");
  t = performance.now();
  const publicDir = join(dir, "public");
  cpSync(join(ROOT, "public"), publicDir, { recursive: true });
  const built = await buildSite({ content, public: publicDir, build: join(dir, "build"), scripts: true });
  const buildS = seconds(t);
  t = performance.now();
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], { quiet: true });
  wrangler(["kv", "bulk", "put", join(dir, "build", "kv-posts.json"), "--binding", "POSTS", "--local", "--persist-to", persistTo], { quiet: true });
  const kvS = seconds(t);
  const kvRecords = (JSON.parse(readFileSync(join(dir, "build", "kv-posts.json"), "utf8")) as { key: string }[]).filter((r) =>
    r.key.startsWith("post:"),
  ).length;

  // 4. The rows: the site as it is, from D1.
  const stats = d1(persistTo, {
    command:
      "SELECT post_slug AS slug, count(*) AS approved, count(DISTINCT thread_id) AS threads FROM comments WHERE status = 'approved' GROUP BY post_slug ORDER BY post_slug",
  }).map((r) => ({ slug: String(r.slug), approved: Number(r.approved), threads: Number(r.threads) }));
  const inD1 = Number(Object.values(d1(persistTo, { command: "SELECT count(*) AS n FROM comments" })[0] ?? {})[0] ?? 0);
  const builtSlugs = new Set(built.posts.map((p) => p.slug));
  const posts = stats.filter((s) => builtSlugs.has(s.slug));
  const taken = new Set<(typeof posts)[number]>();
  const rows: LargeRow[] = [];
  const addRow = (pick: string, x: (typeof posts)[number] | undefined, last = false) => {
    if (!x) return;
    taken.add(x);
    const pageCount = Math.max(1, Math.ceil(x.threads / COMMENTS_PER_PAGE));
    const page = last ? pageCount : 1;
    rows.push({
      pick,
      slug: x.slug,
      page,
      pageCount,
      comments: x.approved,
      threads: x.threads,
      threadsOnPage: Math.min(COMMENTS_PER_PAGE, x.threads - (page - 1) * COMMENTS_PER_PAGE),
      pageBytes: 0,
      commentsOnPage: 0,
      cached: null,
      json: null,
      afterChange: null,
      bypassed: null,
      counts: null,
      isolateAfterChange: null,
      isolateBypassed: null,
    });
  };
  const largest = posts.reduce<(typeof posts)[number] | undefined>((a, b) => (!a || b.approved > a.approved ? b : a), undefined);
  if (largest) taken.add(largest);
  for (const [target, label] of [
    [5, "about 0–10 comments"],
    [30, "about 30"],
    [300, "about 300"],
  ] as const) {
    const x = closest(posts, target, taken);
    // When the site has no post near the size asked for, the row says which it is instead.
    addRow(x && Math.abs(x.approved - target) > Math.max(3, target / 4) ? `${label} (the nearest there is)` : label, x);
  }
  addRow("the largest", largest);
  if (largest && Math.ceil(largest.threads / COMMENTS_PER_PAGE) > 1) addRow("the largest, last page", largest, true);
  if (rows.length < 2) throw new Error(`the imported site has too few posts with comments (${posts.length})`);
  const pathOf = (x: LargeRow, extra = "") => {
    const q = [x.page > 1 ? `page=${x.page}` : "", extra].filter(Boolean).join("&");
    return `/posts/${x.slug}/${q ? `?${q}` : ""}`;
  };

  // 5. The ceiling: the smallest row's post page as the build pre-rendered it, a plain static asset.
  const ceilingSlug = rows[0].slug;
  const ceilingFile = join(publicDir, "posts", ceilingSlug, "index.html");
  mkdirSync(join(publicDir, CEILING_PATH), { recursive: true });
  copyFileSync(ceilingFile, join(publicDir, CEILING_PATH, "index.html"));
  const ceilingBytes = statSync(ceilingFile).size;
  const script = o.script ?? join(dir, "bundle", "index.js");
  await bundling;

  const inspectorPort = o.port + 449;
  const serve = async (name: string, vars?: Record<string, string>): Promise<Billet> => {
    const runDir = join(dir, name);
    mkdirSync(runDir, { recursive: true });
    return startBillet({ tmp: runDir, port: o.port, script, persistTo, publicDir, ceilingBytes, direct: true, vars, inspectorPort });
  };
  const together = (b: Billet, what: string, list: LoadOptions[], connections: number) => {
    o.log(`large site: ${what} — ${list.length} scenarios interleaved, ${o.durationS} s each in ${o.rounds} rounds, ${connections} connection(s)`);
    return measureTogether(
      list,
      {
        connections,
        durationS: o.durationS,
        warmupS: o.warmupS,
        rounds: o.rounds,
        serverPids: [b.child.pid!],
        before: async () => b.ensureRuntime(),
      },
      (line) => o.log(`  ${line}`),
    );
  };
  /** The page of each row, checked: 200, the total D1 holds, and (when given) where it came from. */
  const checkPages = async (b: Billet, phase: string, cache?: string) => {
    for (const x of rows) {
      const res = await get(`${b.runtimeUrl}${pathOf(x)}`);
      const body = await res.text();
      const shown = /data-count="(\d+)"/.exec(body)?.[1];
      const timing = /page;desc="(\w+)"/.exec(res.headers.get("Server-Timing") ?? "")?.[1] ?? "none";
      x.pageBytes = Buffer.byteLength(body);
      // The comments the page shows (not the empty places held for removed ones).
      x.commentsOnPage = (body.match(/<li id="comment-\d+" class="comment(?! comment--removed)/g) ?? []).length;
      if (res.status !== 200 || shown !== String(x.comments))
        problems.push(`${phase}: ${pathOf(x)} answered ${res.status} showing ${shown ?? "no"} comments instead of ${x.comments}`);
      if (cache && timing !== cache) problems.push(`${phase}: ${pathOf(x)} said Server-Timing ${timing}, not ${cache}`);
    }
  };
  const at = (b: Billet, path: string) => () => `${b.runtimeUrl}${path}`;
  const countsRows = rows.filter((x) => x.page === 1);

  // 6. Right after a change: PAGE_CACHE=off, (c), (d), (e) and the ceiling at 1 connection.
  o.log("large site: wrangler dev with PAGE_CACHE=off (every reader the first after a change)");
  let b = await serve("after-change", { PAGE_CACHE: "off" });
  let ceilingChange: LoadResult | null = null;
  let creationCpu: IsolateCpu | null = null;
  let creationSlug: string | null = null;
  try {
    const ceil = await get(`${b.runtimeUrl}${CEILING_PATH}`);
    await ceil.body?.cancel();
    if (ceil.status !== 200) throw new Error(`set-up check failed: the ceiling answered ${ceil.status}`);
    await checkPages(b, "PAGE_CACHE=off", "render");
    await checkPages(b, "PAGE_CACHE=off, asked again", "render");
    const list: LoadOptions[] = [
      { name: "ceiling", url: at(b, CEILING_PATH) },
      ...rows.map((x) => ({ name: `after a change ${x.comments}${x.page > 1 ? ` p.${x.page}` : ""}`, url: at(b, pathOf(x)) })),
      ...rows.map((x) => ({ name: `bypassed ${x.comments}${x.page > 1 ? ` p.${x.page}` : ""}`, url: at(b, pathOf(x, "reply_to=1")) })),
      ...countsRows.map((x) => ({ name: `counts ${x.comments}`, url: at(b, `/api/comments/counts?posts=${x.slug}`) })),
    ];
    const results = await together(b, "right after a change", list, 1);
    ceilingChange = results[0];
    rows.forEach((x, i) => {
      x.afterChange = results[1 + i];
      x.bypassed = results[1 + rows.length + i];
    });
    countsRows.forEach((x, i) => {
      x.counts = results[1 + 2 * rows.length + i];
    });
    // The Worker's own CPU time for (c) and (d), from V8's profiler on its isolate (not the simulators').
    o.log("large site: the Worker isolate's own CPU time (V8's sampling profiler, through the inspector)");
    const profiler = await openProfiler(inspectorPort);
    try {
      // Comment creation on the largest post (anonymous, held for moderation, as on the seed site):
      // the spam filter's counts, the checks and the insert against 54,000 comments. Measured as the
      // seed site's is (bench/cpu.ts): 8 connections, three runs, the median kept; at one connection
      // the second of warm-up left most of the run to code V8 had not optimised yet.
      const largest = rows.reduce((a, x) => (x.comments > a.comments ? x : a));
      const runId = `large-${Date.now().toString(36)}`;
      const tries: IsolateCpu[] = [];
      for (let i = 0; i < 3; i++) {
        tries.push(
          await profiler.measure(`${b.runtimeUrl}/api/posts/${largest.slug}/comments`, {
            connections: 8,
            durationS: o.durationS / 2,
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: (n) => commentBody(`${runId}-${i}`, n),
            pid: b.runtimePid,
          }),
        );
      }
      creationCpu = tries.sort((x, y) => x.msPerRequest - y.msPerRequest)[1];
      creationSlug = largest.slug;
      o.log(
        `  creation on ${largest.slug}: ${creationCpu.msPerRequest.toFixed(3)} ms of the Worker's own CPU per comment; runs: ${tries.map((t) => t.msPerRequest.toFixed(3)).join(", ")}`,
      );
      for (const x of rows) {
        x.isolateAfterChange = await profiler.measure(`${b.runtimeUrl}${pathOf(x)}`, { connections: 1, durationS: o.durationS, pid: b.runtimePid });
        x.isolateBypassed = await profiler.measure(`${b.runtimeUrl}${pathOf(x, "reply_to=1")}`, {
          connections: 1,
          durationS: o.durationS,
          pid: b.runtimePid,
        });
        o.log(
          `  ${pathOf(x)}: ${x.isolateAfterChange.msPerRequest.toFixed(3)} ms (after a change), ${x.isolateBypassed.msPerRequest.toFixed(3)} ms (bypassed)`,
        );
      }
    } catch (err) {
      problems.push(`the Worker isolate's CPU could not be read: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      profiler.close();
    }
  } finally {
    await b.stop();
  }

  // 7. As readers get it: the page cache on, (a), (b) and the ceiling; then many readers after a clear.
  o.log("large site: wrangler dev with the page cache on");
  b = await serve("cached");
  let ceilingCached: LoadResult | null = null;
  let readers: LargeResult["readers"] = null;
  try {
    await checkPages(b, "page cache on");
    const jsonPath = (x: LargeRow) => `/api/posts/${x.slug}/comments${x.page > 1 ? "?sort=newest" : ""}`;
    for (const x of rows) {
      const res = await get(`${b.runtimeUrl}${jsonPath(x)}`);
      const total = res.ok ? ((await res.json()) as { meta: { total: number } }).meta.total : null;
      if (total !== x.comments) problems.push(`the JSON ${jsonPath(x)} answered ${res.status} with a total of ${total} instead of ${x.comments}`);
    }
    const list: LoadOptions[] = [
      { name: "ceiling", url: at(b, CEILING_PATH) },
      ...rows.map((x) => ({ name: `page ${x.comments}${x.page > 1 ? ` p.${x.page}` : ""}`, url: at(b, pathOf(x)) })),
      ...rows.map((x) => ({ name: `json ${x.comments}${x.page > 1 ? " newest" : ""}`, url: at(b, jsonPath(x)) })),
    ];
    const results = await together(b, "as readers get it", list, o.connections);
    ceilingCached = results[0];
    rows.forEach((x, i) => {
      x.cached = results[1 + i];
      x.json = results[1 + rows.length + i];
    });

    // Many readers right after a clear: an approval on the largest post, then READERS GETs at once.
    const big = rows.find((x) => x.pick === "the largest");
    if (big) {
      o.log(`large site: ${READERS} readers at once right after an approval on ${big.slug} (${TRIALS} trials)`);
      const token = ensureDevVars();
      const runId = Date.now().toString(36);
      const trials: ReadersTrial[] = [];
      for (let i = 1; i <= TRIALS; i++) {
        // The page is in the cache before the change (as on a site that is being read).
        const warm = await get(`${b.runtimeUrl}${pathOf(big)}`);
        await warm.body?.cancel();
        const ready = await readersReady(`${b.runtimeUrl}${CEILING_PATH}`, READERS);
        await postAndApprove(b.runtimeUrl, big.slug, token, commentBody(runId, 2e9 + i));
        const answers = await ready.send(`${b.runtimeUrl}${pathOf(big)}`);
        ready.close();
        const expected = big.comments + i;
        const statuses: Record<string, number> = {};
        for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        const ok = answers.filter((a) => a.status === 200 && a.count === String(expected));
        const of = (v: string) => ok.filter((a) => a.timing === v).length;
        trials.push({
          readers: READERS,
          expected,
          render: of("render"),
          shared: of("shared"),
          hit: of("hit"),
          other: answers.length - of("render") - of("shared") - of("hit"),
          statuses,
          wrongTotal: answers.filter((a) => a.status === 200 && a.count !== String(expected)).length,
        });
        await new Promise((r) => setTimeout(r, 300));
      }
      readers = { slug: big.slug, trials };
    }
  } finally {
    await b.stop();
  }

  return {
    shape: {
      posts: DEFAULT_SHAPE.posts,
      comments: DEFAULT_SHAPE.comments,
      hot: DEFAULT_SHAPE.hot,
      hotSize: DEFAULT_SHAPE.hotSize,
      depth: DEFAULT_SHAPE.depth,
      seed: DEFAULT_SHAPE.seed,
    },
    site: {
      exportBytes: statSync(file).size,
      posts: built.posts.length,
      pages: built.pages.length,
      approved: posts.reduce((n, x) => n + x.approved, 0),
      inD1: inD1,
      kvRecords,
    },
    setupSeconds: { generate: generateS, import: importS, build: buildS, kv: kvS },
    ceiling: { slug: ceilingSlug, path: CEILING_PATH, bytes: ceilingBytes },
    options: { durationS: o.durationS, warmupS: o.warmupS, rounds: o.rounds, connectionsCached: o.connections, connectionsChange: 1 },
    ceilingCached,
    ceilingChange,
    rows,
    readers,
    creation: creationCpu && creationSlug ? { slug: creationSlug, cpu: creationCpu } : null,
    problems: [
      ...(imported.comments !== counts.comments.approved + counts.comments.pending + counts.comments.spam + counts.comments.deleted
        ? [
            `the import read ${imported.comments} comments, the file holds ${counts.comments.approved + counts.comments.pending + counts.comments.spam + counts.comments.deleted}`,
          ]
        : []),
      ...problems,
    ],
    seconds: Math.round(seconds(started)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: opt } = parseArgs({
    options: {
      duration: { type: "string", default: "4" },
      warmup: { type: "string", default: "1" },
      rounds: { type: "string", default: "2" },
      connections: { type: "string", default: "8" },
      port: { type: "string", default: "8790" },
      "keep-temp": { type: "boolean", default: false },
    },
  });
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), "billet-bench-large-"));
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await stopAll();
      if (opt["keep-temp"]) console.log(`kept: ${tmp}`);
      else rmSync(tmp, { recursive: true, force: true });
    })());
  process.on("exit", killAllNow);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(sig, () => {
      console.error(`\n${sig}: stopping every process the bench started…`);
      void cleanup().finally(() => process.exit(130));
    });
  try {
    const result = await runLargeBench({
      tmp,
      port: Number(opt.port),
      durationS: Number(opt.duration),
      warmupS: Number(opt.warmup),
      rounds: Number(opt.rounds),
      connections: Number(opt.connections),
      log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`),
    });
    const budgets = largeBudgets(result);
    const md = `# billet benchmark: the large site (npm run bench:large)

Run on ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC. \`npm run bench\` runs the same section and reports it with the rest.

| budget | measured | verdict |
| --- | --- | --- |
${budgets.map((r) => `| ${r.join(" | ")} |`).join("\n")}

${largeMarkdown(result).replace(/^## /, "### ")}
`;
    const dir = join(ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "large.md"), md);
    writeFileSync(join(dir, "large.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\n${largeSummary(result).join("\n")}\n${budgets.map((r) => `budget: ${r[0]} — ${r[1]} — ${r[2].replace(/\*/g, "")}`).join("\n")}`);
    console.log(`\nReport: bench/results/large.md (and large.json) — ${Math.round((Date.now() - started) / 1000)} s in all.`);
  } catch (err) {
    console.error(`\nbench:large failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}
