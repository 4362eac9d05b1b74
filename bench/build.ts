// npm run bench:build [-- --sizes 200,2000 --keep-temp] — the build of a large blog (also run by
// `npm run bench`, at the end).
//
// For each size, generates a WordPress export of that many posts (scripts/generate-blog.ts; no
// comments: the build does not read D1), imports it into a fresh content folder (scripts/import.ts,
// which then touches no database), and builds it in a process of its own: time and peak memory
// (the process's maximum resident set; the better of two builds), what was written (post pages,
// tags, categories, archives, pages of lists), and the growth from the smallest size to the
// largest against linear.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildSite } from "../scripts/build.ts";
import { ROOT } from "../scripts/content.ts";
import { DEFAULT_SHAPE, writeBlog } from "../scripts/generate-blog.ts";
import { runImport } from "../scripts/import.ts";

export interface BuildRun {
  posts: number;
  seconds: number;
  /** Peak resident memory of the build's process, bytes. */
  peakRss: number;
  files: number;
  bytes: number;
}

export interface BuildBench {
  runs: BuildRun[];
  /** Time per post at the largest size over time per post at the smallest (1 = linear). */
  timeGrowth: number;
  /** Peak memory at the largest size over the smallest's. */
  memoryGrowth: number;
  markdown: string;
}

/** Files and bytes under a folder. */
function sizeOf(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = statSync(join(dir, name));
    if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  }
  return { files, bytes };
}

/** Builds `content` into `out` in a process of its own; its time and peak memory. */
function buildInChild(content: string, out: string): Promise<{ seconds: number; peakRss: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL(import.meta.url).pathname, "--child", content, out], { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.on("exit", (code) => {
      const line = text.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`the build failed (${code}): ${text.slice(-2000)}`));
      else resolve(JSON.parse(line));
    });
  });
}

const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;

export async function runBuildBench(opts: { sizes?: number[]; log?: (line: string) => void; keepTemp?: boolean } = {}): Promise<BuildBench> {
  const sizes = opts.sizes ?? [200, 2000];
  const log = opts.log ?? ((line: string) => console.log(`[bench:build] ${line}`));
  const tmp = mkdtempSync(join(tmpdir(), "billet-bench-build-"));
  const runs: BuildRun[] = [];
  try {
    for (const posts of sizes) {
      const dir = join(tmp, String(posts));
      const content = join(dir, "content");
      mkdirSync(join(content, "posts"), { recursive: true });
      copyFileSync(join(ROOT, "content", "site.json"), join(content, "site.json"));
      log(`${posts} posts: generating and importing…`);
      const file = join(dir, "blog.xml");
      await writeBlog(file, { ...DEFAULT_SHAPE, posts, comments: 0, hot: 0, hotSize: 0 });
      await runImport({ file, map: {}, remote: false, dryRun: false, pingbacks: false, contentDir: content, sqlOut: join(dir, "import.sql") }, () => {});
      log(`${posts} posts: building…`);
      // The better of two builds: this machine is shared, and a build is short.
      const out = join(dir, "out");
      const first = await buildInChild(content, out);
      const second = await buildInChild(content, out);
      const { seconds, peakRss } = first.seconds <= second.seconds ? first : second;
      const { files, bytes } = sizeOf(join(out, "public"));
      runs.push({ posts, seconds, peakRss, files, bytes });
      log(`${posts} posts: ${seconds.toFixed(2)} s, ${mb(peakRss)} peak, ${files} files (${(bytes / 1e6).toFixed(1)} MB)`);
    }
  } finally {
    if (opts.keepTemp) log(`kept: ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
  const [small, large] = [runs[0], runs.at(-1)!];
  const timeGrowth = large.seconds / large.posts / (small.seconds / small.posts);
  const memoryGrowth = large.peakRss / small.peakRss;
  const markdown = `## Building a large blog (bench/build.ts)

A generated WordPress export (scripts/generate-blog.ts) imported, then \`npm run build\` of it in a process of its own (no scripts bundled; the better of two runs):
post pages with previous/next and related posts, the home page's pages, tags, categories, archives by year and month with their pages and feeds, sitemap.

| posts | build time | peak memory (process) | files written | size |
| ---: | ---: | ---: | ---: | ---: |
${runs.map((r) => `| ${r.posts.toLocaleString("en-US")} | ${r.seconds.toFixed(2)} s | ${mb(r.peakRss)} | ${r.files.toLocaleString("en-US")} | ${(r.bytes / 1e6).toFixed(1)} MB |`).join("\n")}

Growth from ${small.posts} to ${large.posts.toLocaleString("en-US")} posts: time per post ×${timeGrowth.toFixed(2)} (1 = linear), peak memory ×${memoryGrowth.toFixed(2)} for ${(large.posts / small.posts).toFixed(0)}× the posts.
`;
  log(`growth ${small.posts} → ${large.posts} posts: time per post ×${timeGrowth.toFixed(2)}, peak memory ×${memoryGrowth.toFixed(2)}`);
  return { runs, timeGrowth, memoryGrowth, markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: opt, positionals } = parseArgs({
    allowPositionals: true,
    options: { child: { type: "boolean", default: false }, sizes: { type: "string" }, "keep-temp": { type: "boolean", default: false } },
  });
  if (opt.child) {
    const [content, out] = positionals;
    const started = performance.now();
    await buildSite({ content, public: join(out, "public"), build: join(out, "build"), scripts: false });
    const seconds = (performance.now() - started) / 1000;
    // ru_maxrss is in kilobytes.
    console.log(JSON.stringify({ seconds, peakRss: process.resourceUsage().maxRSS * 1024 }));
  } else {
    const result = await runBuildBench({ sizes: opt.sizes?.split(",").map(Number), keepTemp: opt["keep-temp"] });
    console.log(`\n${result.markdown}`);
  }
}
