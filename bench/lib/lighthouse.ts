// Lighthouse (its CLI, installed as a devDependency) on the seed page with Debian's Chromium.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/content.ts";
import { startProcess, stopTree } from "./procs.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROME_FLAGS =
  "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-quic";
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

export interface LighthouseResult {
  version: string;
  formFactor: string;
  throttling: string;
  scores: Record<string, number | null>;
  /** Audits that count in a category and did not get full marks. */
  failing: { category: string; id: string; title: string; score: number | null; displayValue?: string; items: string[] }[];
  metrics: Record<string, string>;
  totalByteWeight: number | null;
  requests: { url: string; transferSize: number; resourceType: string }[];
  thirdPartyRequests: string[];
}

interface Lhr {
  lighthouseVersion: string;
  configSettings: { formFactor: string; throttlingMethod: string };
  categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
  audits: Record<
    string,
    {
      title: string;
      score: number | null;
      scoreDisplayMode: string;
      displayValue?: string;
      numericValue?: number;
      details?: { items?: Record<string, unknown>[] };
    }
  >;
}

export async function runLighthouse(url: string, outPath: string, timeoutMs = 180_000): Promise<LighthouseResult> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const cli = join(ROOT, "node_modules", "lighthouse", "cli", "index.js");
  const args = [
    cli,
    url,
    "--quiet",
    "--output=json",
    `--output-path=${outPath}`,
    `--only-categories=${CATEGORIES.join(",")}`,
    `--chrome-flags=${CHROME_FLAGS}`,
  ];
  // Its own process group, so that Chromium goes too if the bench stops on the way.
  const child = startProcess(process.execPath, args, { cwd: ROOT, env: { ...process.env, CHROME_PATH: CHROMIUM }, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => void stopTree(child, 0), timeoutMs);
    child.on("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  await stopTree(child, 1000);
  if (code !== 0 || !existsSync(outPath)) throw new Error(`lighthouse failed (exit ${code}): ${err.slice(-2000)}`);
  const lhr = JSON.parse(readFileSync(outPath, "utf8")) as Lhr;
  const scores: Record<string, number | null> = {};
  const failing: LighthouseResult["failing"] = [];
  for (const id of CATEGORIES) {
    const cat = lhr.categories[id];
    scores[id] = cat?.score === null || cat === undefined ? null : Math.round(cat.score * 100);
    for (const ref of cat?.auditRefs ?? []) {
      const a = lhr.audits[ref.id];
      if (!a || ref.weight === 0) continue;
      if (a.scoreDisplayMode === "notApplicable" || a.scoreDisplayMode === "manual" || a.scoreDisplayMode === "informative") continue;
      if (a.score === null || a.score < 1) {
        // What the audit points at (a URL, a selector, a message), for the report.
        const items = (a.details?.items ?? []).slice(0, 3).map((i) => {
          const node = i.node as { snippet?: string } | undefined;
          const loc = i.sourceLocation as { url?: string } | undefined;
          return [i.description, loc?.url ?? i.url, node?.snippet].filter((x) => typeof x === "string" && x).join(" — ");
        });
        failing.push({ category: id, id: ref.id, title: a.title, score: a.score, displayValue: a.displayValue, items: items.filter(Boolean) });
      }
    }
  }
  const metrics: Record<string, string> = {};
  for (const id of ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index", "interactive"]) {
    if (lhr.audits[id]?.displayValue) metrics[id] = lhr.audits[id].displayValue!;
  }
  const origin = new URL(url).origin;
  const requests = (lhr.audits["network-requests"]?.details?.items ?? []).map((i) => ({
    url: String(i.url),
    transferSize: Number(i.transferSize ?? 0),
    resourceType: String(i.resourceType ?? ""),
  }));
  return {
    version: lhr.lighthouseVersion,
    formFactor: lhr.configSettings.formFactor,
    throttling: lhr.configSettings.throttlingMethod,
    scores,
    failing,
    metrics,
    totalByteWeight: lhr.audits["total-byte-weight"]?.numericValue ?? null,
    requests,
    thirdPartyRequests: requests.filter((r) => /^https?:/.test(r.url) && new URL(r.url).origin !== origin).map((r) => r.url),
  };
}
