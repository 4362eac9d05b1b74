// The Worker's folders in layers (README, "Layout"): a file imports only its own layer or a lower
// one, nothing in workers/ imports scripts/, test/ or bench/, and no two files import each other
// (directly or round a loop), so that a newcomer can read a folder knowing only those below it.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const WORKERS = join(ROOT, "workers");

/** Lowest first. Same layer: may import each other's files (db/desk.ts reads the classifier's counts). */
const LAYERS: string[][] = [
  ["config.ts", "env.d.ts", "http", "store"],
  ["db", "render", "spam"],
  ["auth"],
  ["mail", "moderation", "pages"],
  ["routes"],
  ["index.ts"],
];

/** Outside workers/, the Worker may read only the site's settings (content/site.json). */
const OUTSIDE_ALLOWED = new Set(["content/site.json"]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

/** The relative modules a source file imports or re-exports (static, dynamic and type-only). */
function relativeImports(source: string): string[] {
  const found = new Set<string>();
  const patterns = [/\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g, /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']/g, /^\s*import\s*["'](\.{1,2}\/[^"']+)["']/gm];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.add(m[1] as string);
  return [...found];
}

/** The layer of a path relative to workers/ ("routes/admin.ts", "index.ts"), or -1 if none is named. */
function layerOf(path: string): number {
  const top = path.split("/")[0] as string;
  return LAYERS.findIndex((names) => names.includes(top));
}

const graph = new Map<string, string[]>();
for (const file of tsFiles(WORKERS)) {
  const from = relative(WORKERS, file);
  const targets = relativeImports(readFileSync(file, "utf8")).map((spec) => relative(WORKERS, resolve(dirname(file), spec)));
  graph.set(from, targets);
}

describe("the Worker's layers", () => {
  it("finds the Worker's files and their imports", () => {
    expect(graph.size).toBeGreaterThan(30);
    expect(graph.get("index.ts")).toContain("routes/admin.ts");
    expect(relativeImports('import a from "./a.ts";\nimport type { B } from "../b/c.ts";\nconst d = await import("./d.ts");\nimport "./e.ts";')).toEqual([
      "./a.ts",
      "../b/c.ts",
      "./d.ts",
      "./e.ts",
    ]);
  });

  it("puts every file and folder of workers/ in a layer", () => {
    const unplaced = [...graph.keys()].filter((file) => layerOf(file) < 0);
    expect(unplaced).toEqual([]);
  });

  it("imports nothing from scripts/, test/ or bench/, and from outside workers/ only the site's settings", () => {
    const outside: string[] = [];
    for (const [from, targets] of graph)
      for (const target of targets) {
        if (!target.startsWith("..")) continue;
        const fromRoot = relative(ROOT, join(WORKERS, target));
        if (!OUTSIDE_ALLOWED.has(fromRoot)) outside.push(`${from} → ${fromRoot}`);
      }
    expect(outside).toEqual([]);
  });

  it("imports nothing from a higher layer", () => {
    const upward: string[] = [];
    for (const [from, targets] of graph)
      for (const target of targets) {
        if (target.startsWith("..")) continue;
        if (layerOf(target) > layerOf(from)) upward.push(`${from} → ${target}`);
      }
    expect(upward).toEqual([]);
  });

  it("has no loop of imports between files", () => {
    const state = new Map<string, "open" | "done">();
    const loops: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        loops.push([...path.slice(path.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "open");
      for (const target of graph.get(file) ?? []) if (graph.has(target)) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of [...graph.keys()].sort()) visit(file, []);
    expect(loops).toEqual([]);
  });
});
