// npm run bench:import [-- --posts 2000 --comments 60000 --keep-temp --save]
//
// Moving a large blog in: generates a realistic WordPress export (scripts/generate-blog.ts:
// 2,000 posts, 60,000 comments by default), imports it as a new user would (npm run import into a
// fresh content folder and a fresh local D1), and measures the time and peak memory of the import
// (its own process, and wrangler applying the SQL), the same import with its heap capped at 64 MB
// (bounded memory), a second run (which must add nothing) and the build of the imported site.
// Checks every count against what the file holds. Writes bench/results/import.{md,json}; --save
// also copies the Markdown to docs/bench-import.md.
import { spawn } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildSite } from "../scripts/build.ts";
import { ROOT } from "../scripts/content.ts";
import { DEFAULT_SHAPE, writeBlog, type BlogShape } from "../scripts/generate-blog.ts";

const { values: opt } = parseArgs({
  options: {
    posts: { type: "string" },
    comments: { type: "string" },
    hot: { type: "string" },
    "hot-size": { type: "string" },
    save: { type: "boolean", default: false },
    "keep-temp": { type: "boolean", default: false },
  },
});

const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
const shape: BlogShape = {
  ...DEFAULT_SHAPE,
  posts: num(opt.posts, DEFAULT_SHAPE.posts),
  comments: num(opt.comments, DEFAULT_SHAPE.comments),
  hot: num(opt.hot, DEFAULT_SHAPE.hot),
  hotSize: num(opt["hot-size"], DEFAULT_SHAPE.hotSize),
};
const tmp = mkdtempSync(join(tmpdir(), "billet-bench-import-"));
const NODE = process.execPath;

/** Peak resident memory (VmHWM) of a process and of its descendants, read from /proc. */
function treeOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parents.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parents) if (ppid === out[i]) out.push(pid);
  return out;
}
function hwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Run {
  seconds: number;
  /** Peak RSS of the import process itself. */
  importPeak: number;
  /** Peak RSS of any other process it started (wrangler applying the SQL). */
  childPeak: number;
  output: string;
  code: number;
}

async function run(args: string[], nodeFlags: string[] = []): Promise<Run> {
  const started = performance.now();
  const child = spawn(NODE, ["--disable-warning=ExperimentalWarning", ...nodeFlags, join(ROOT, "scripts", "import.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, INIT_CWD: ROOT },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let importPeak = 0;
  let childPeak = 0;
  const poll = setInterval(() => {
    if (!child.pid) return;
    const tree = treeOf(child.pid);
    importPeak = Math.max(importPeak, hwm(child.pid));
    for (const pid of tree.slice(1)) childPeak = Math.max(childPeak, hwm(pid));
  }, 100);
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  clearInterval(poll);
  return { seconds: (performance.now() - started) / 1000, importPeak, childPeak, output, code };
}

const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
const step = (s: string) => console.log(`[bench:import] ${s}`);

try {
  step(`generating the export: ${shape.posts} posts, ${shape.comments} comments (${shape.hot} posts with ${shape.hotSize})…`);
  const file = join(tmp, "big-blog.xml");
  const counts = await writeBlog(file, shape);
  const size = statSync(file).size;
  const content = join(tmp, "content");
  mkdirSync(join(content, "posts"), { recursive: true });
  copyFileSync(join(ROOT, "content", "site.json"), join(content, "site.json"));
  cpSync(join(ROOT, "content", "posts"), join(content, "posts"), { recursive: true });
  const state = join(tmp, "state");
  const sql = join(tmp, "import.sql");
  const common = [file, "--content", content, "--sql", sql];

  step("reading and planning with the heap capped at 64 MB (--dry-run)…");
  const capped = await run([...common, "--dry-run"], ["--max-old-space-size=64"]);
  if (capped.code !== 0) throw new Error(`the import did not hold in a 64 MB heap:\n${capped.output.slice(-2000)}`);

  step("importing into a fresh content folder and local D1…");
  const first = await run([...common, "--persist-to", state]);
  if (first.code !== 0) throw new Error(`npm run import failed:\n${first.output.slice(-3000)}`);
  step("importing again (must add nothing)…");
  const second = await run([...common, "--persist-to", state]);
  if (second.code !== 0) throw new Error(`the second import failed:\n${second.output.slice(-3000)}`);

  step("building the imported site…");
  const builtAt = performance.now();
  const built = await buildSite({ content, public: join(tmp, "public"), build: join(tmp, "build"), scripts: false });
  const buildSeconds = (performance.now() - builtAt) / 1000;

  // What the file holds against what came in.
  const expectedComments = counts.comments.approved + counts.comments.pending + counts.comments.spam + counts.comments.deleted;
  const inAll = /In all: (.*?)(?: {2}→|$)/m.exec(first.output)?.[1] ?? "";
  const added = Number(/→ (\d+) added/.exec(first.output.split("In all:")[1] ?? "")?.[1] ?? NaN);
  const addedAgain = Number(/→ (\d+) added/.exec(second.output.split("In all:")[1] ?? "")?.[1] ?? NaN);
  const checks = [
    [`posts created: ${built.posts.length - 1} of ${counts.posts}`, built.posts.length - 1 === counts.posts],
    [`pages created: ${built.pages.length} of ${counts.pages}`, built.pages.length === counts.pages],
    [`comments added: ${added} of ${expectedComments} (${inAll})`, added === expectedComments],
    [`second run added ${addedAgain}`, addedAgain === 0],
    [`drafts left out: ${/(\d+) × draft/.exec(first.output)?.[1]} of ${counts.drafts}`, Number(/(\d+) × draft/.exec(first.output)?.[1]) === counts.drafts],
    [
      `pingbacks left out: ${/(\d+) × pingback/.exec(first.output)?.[1]} of ${counts.pingbacks}`,
      Number(/(\d+) × pingback/.exec(first.output)?.[1]) === counts.pingbacks,
    ],
  ] as const;

  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    shape,
    file: { bytes: size, ...counts },
    dryRunCapped64: { seconds: capped.seconds, peakRss: capped.importPeak },
    import: { seconds: first.seconds, peakRss: first.importPeak, wranglerPeakRss: first.childPeak },
    secondRun: { seconds: second.seconds, peakRss: second.importPeak },
    build: { seconds: buildSeconds, posts: built.posts.length, pages: built.pages.length, redirects: built.redirects },
    checks: checks.map(([what, ok]) => ({ what, ok })),
  };
  const md = `# Importing a large blog (npm run bench:import)

${result.date.slice(0, 10)}, ${result.machine}. A generated WordPress export (scripts/generate-blog.ts, seed ${shape.seed}):
${(size / 1e6).toFixed(1)} MB, ${counts.posts} posts, ${counts.pages} pages, ${expectedComments} comments (${counts.comments.approved} approved,
${counts.comments.pending} held, ${counts.comments.spam} spam, ${counts.comments.deleted} trashed), ${counts.pingbacks} pingbacks, threads ${counts.maxDepth} deep, ${shape.hot} posts with ${shape.hotSize} comments.

| run | time | peak memory (import) | peak memory (wrangler applying the SQL) |
| --- | ---: | ---: | ---: |
| \`npm run import\` into a fresh content folder and local D1 | ${first.seconds.toFixed(1)} s | ${mb(first.importPeak)} | ${mb(first.childPeak)} |
| the same again (adds nothing) | ${second.seconds.toFixed(1)} s | ${mb(second.importPeak)} | ${mb(second.childPeak)} |
| reading and planning only (\`--dry-run\`), heap capped at 64 MB | ${capped.seconds.toFixed(1)} s | ${mb(capped.importPeak)} | – |
| \`npm run build\` of the imported site (${built.posts.length} posts, ${built.pages.length} pages, pages of the home page, redirects) | ${buildSeconds.toFixed(1)} s | – | – |

Redirects for old addresses: ${built.redirects.static} static and ${built.redirects.dynamic} dynamic rules in \`_redirects\`, ${built.redirects.query} \`?p=\` addresses for the Worker${built.redirects.dropped.length ? `, ${built.redirects.dropped.length} not redirected` : ""}.

Checks against the file:
${checks.map(([what, ok]) => `- ${ok ? "✓" : "✗"} ${what}`).join("\n")}
`;
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "import.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, "import.md"), md);
  if (opt.save) writeFileSync(join(ROOT, "docs", "bench-import.md"), md);
  console.log(`\n${md}`);
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  if (opt["keep-temp"]) console.log(`kept: ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
