// The old blog's listings, each to its billet counterpart (workers/render/addresses.ts): its category,
// tag, date and author archives and their feeds, its main and comments feeds, and its home page
// when it lived in a folder. Only for what the import holds: the categories and tags of the posts
// imported, the days they were written, their authors. Written into content/redirects.json, which
// the build publishes with the posts' own old addresses (scripts/redirects.ts).
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { archivePath, COMMENTS_FEED_PATH, termFeedPath, termPath } from "../../workers/render/addresses.ts";
import type { WpItem } from "./formats.ts";

export const REDIRECTS_FILE = "redirects.json";

/** WordPress's user_nicename of a login (sanitize_title: lower case, dots dropped, the rest hyphens). */
export function authorNicename(login: string): string {
  return login
    .toLowerCase()
    .replace(/[.@]/g, "")
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50);
}

/** A category's address segments, its ancestors' first (/category/parent/child/). */
function categoryChain(nicename: string, parents: Record<string, string>): string[] {
  const chain = [nicename];
  const seen = new Set(chain);
  for (let p = parents[nicename]; p && !seen.has(p) && chain.length < 10; p = parents[p]) {
    chain.unshift(p);
    seen.add(p);
  }
  return chain;
}

/** Old address → billet address, for the items of an export (posts only: pages are in no listing). */
export function archiveAddresses(items: Iterable<WpItem>, categoryParents: Record<string, string> = {}): Map<string, string> {
  const out = new Map<string, string>();
  const add = (from: string, to: string) => {
    if (!out.has(from)) out.set(from, to);
  };
  let base: string | null = null;
  let posts = 0;
  for (const item of items) {
    base ??= item.base || "/";
    if (item.kind !== "post") continue;
    posts++;
    for (const t of item.terms) {
      const segments = t.kind === "categories" ? categoryChain(t.nicename, categoryParents) : [t.nicename];
      const prefix = t.kind === "categories" ? "category" : "tag";
      // WordPress answers a child category at its full path and at its own nicename alone.
      for (const path of new Set([segments.join("/"), t.nicename])) {
        add(`${item.base}${prefix}/${path}/`, termPath(t.kind, t.name));
        add(`${item.base}${prefix}/${path}/feed/`, termFeedPath(t.kind, t.name));
      }
    }
    // The day it was written, in the old blog's zone (the date keeps its offset).
    const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(item.date);
    if (day) {
      const [y, m] = [Number(day[1]), Number(day[2])];
      add(`${item.base}${day[1]}/`, archivePath(y));
      add(`${item.base}${day[1]}/${day[2]}/`, archivePath(y, m));
      add(`${item.base}${day[1]}/${day[2]}/${day[3]}/`, archivePath(y, m));
    }
    // One author's blog: the author's archive is all the posts.
    const nicename = authorNicename(item.authorLogin);
    if (nicename) add(`${item.base}author/${nicename}/`, archivePath());
  }
  if (base === null || !posts) return out;
  for (const feed of ["feed/", "rss/", "atom/", "feed/atom/", "feed/rss2/", "feed/rss/", "feed/rdf/", "rss2/"]) add(`${base}${feed}`, "/feed.xml");
  add(`${base}comments/feed/`, COMMENTS_FEED_PATH);
  // A blog that lived in a folder: its home page (and its pages, /blog/page/2/, which the Worker follows).
  if (base !== "/") add(base, "/");
  return out;
}

/** content/redirects.json: old address → billet address. */
export function readArchiveAddresses(contentDir: string): Record<string, string> {
  const file = join(contentDir, REDIRECTS_FILE);
  if (!existsSync(file)) return {};
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error(`${file}: not an object of old address → new address`);
  return Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** Adds addresses to content/redirects.json (those it has keep their target); returns how many were new. */
export function writeArchiveAddresses(contentDir: string, addresses: Map<string, string>): number {
  const current = readArchiveAddresses(contentDir);
  let added = 0;
  for (const [from, to] of addresses)
    if (!(from in current)) {
      current[from] = to;
      added++;
    }
  if (!added) return 0;
  const sorted = Object.fromEntries(Object.entries(current).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const file = join(contentDir, REDIRECTS_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(sorted, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return added;
}
