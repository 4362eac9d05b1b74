// Sizes: the Worker bundle as `wrangler deploy --dry-run` writes it, the widget, and what a reader
// downloads for the seed post page (HTML + CSS + JS), raw and compressed.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { ROOT } from "../../scripts/content.ts";
import { OFFLINE_ENV } from "../../scripts/local.ts";
import { WRANGLER } from "./billet.ts";
import { get } from "./http.ts";

export interface Sized {
  bytes: number;
  gzip: number;
  brotli: number;
}

export function sizeOf(buf: Uint8Array): Sized {
  return {
    bytes: buf.byteLength,
    gzip: gzipSync(buf, { level: 9 }).byteLength,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
  };
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

export interface BundleSize extends Sized {
  files: { path: string; bytes: number; gzip: number }[];
  /** What wrangler itself prints ("Total Upload: … / gzip: …"), when it does. */
  wranglerSays: string | null;
}

/** `wrangler deploy --dry-run --outdir` (asynchronous, so it can run while the local set-up runs). */
export async function workerBundle(outdir: string, opts: { minify?: boolean } = {}): Promise<BundleSize> {
  // The static assets play no part in the bundle; an empty directory keeps wrangler from reading
  // public/ while the build rewrites it.
  const noAssets = join(outdir, "..", "no-assets");
  mkdirSync(noAssets, { recursive: true });
  // Unminified (for a profile that names functions): the same code, names kept.
  const minify = opts.minify === false ? ["--no-minify"] : [];
  const child = spawn(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outdir, "--assets", noAssets, ...minify], {
    cwd: ROOT,
    env: OFFLINE_ENV,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${code}): ${output.slice(-2000)}`);
  const said = /Total Upload:[^\n]*/.exec(output)?.[0] ?? null;
  // The modules wrangler would upload (source maps and the README it writes are not uploaded).
  const mods = files(outdir).filter((p) => /\.(m?js|wasm|bin|txt|html|json)$/.test(p) && !p.endsWith(".map") && !/README/i.test(p));
  const all = Buffer.concat(mods.map((p) => readFileSync(p)));
  return {
    ...sizeOf(all),
    files: mods.map((p) => {
      const b = readFileSync(p);
      return { path: relative(outdir, p), bytes: b.byteLength, gzip: gzipSync(b, { level: 9 }).byteLength };
    }),
    wranglerSays: said,
  };
}

export interface PageWeight {
  url: string;
  resources: { url: string; type: string; status: number; bytes: number; gzip: number; brotli: number }[];
  total: Sized;
  thirdParty: string[];
}

/** The page and every stylesheet, script, image and icon it links, fetched as a browser would. */
export async function pageWeight(pageUrl: string): Promise<PageWeight> {
  const origin = new URL(pageUrl).origin;
  const res = await get(pageUrl);
  const html = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(html);
  const resources: PageWeight["resources"] = [{ url: pageUrl, type: "html", status: res.status, ...sizeOf(html) }];
  const refs = new Set<string>();
  const thirdParty = new Set<string>();
  const tag = /<(link|script|img|source|iframe)\b[^>]*>/gi;
  for (const m of text.matchAll(tag)) {
    const t = m[0];
    const kind = m[1].toLowerCase();
    if (kind === "link" && !/rel="?(stylesheet|icon|preload|modulepreload|manifest|apple-touch-icon)/i.test(t)) continue;
    const src = /\s(?:src|href)="([^"]+)"/i.exec(t)?.[1];
    if (!src) continue;
    const u = new URL(src.replace(/&amp;/g, "&"), pageUrl);
    if (u.origin !== origin) thirdParty.add(u.href);
    else refs.add(u.href);
  }
  for (const u of refs) {
    const r = await get(u);
    const b = new Uint8Array(await r.arrayBuffer());
    resources.push({ url: u, type: (r.headers.get("Content-Type") ?? "").split(";")[0], status: r.status, ...sizeOf(b) });
  }
  const total = resources.reduce((a, r) => ({ bytes: a.bytes + r.bytes, gzip: a.gzip + r.gzip, brotli: a.brotli + r.brotli }), {
    bytes: 0,
    gzip: 0,
    brotli: 0,
  });
  return { url: pageUrl, resources, total, thirdParty: [...thirdParty] };
}
