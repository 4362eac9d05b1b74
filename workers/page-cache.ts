// What readers of a post get over and over, cached per post: its pages (with their comments) in
// this isolate's memory and in the data centre's Cache API, and its comments JSON in memory.
//
// Every key holds the post's version, which the database replaces on every change readers can see
// (migrations/0005_post-versions.sql), in the same transaction as the change. A copy made from
// older data is filed under an older version and never served again, whichever isolate or data
// centre made it, and a render stores what it read under the version it read with it: nothing has
// to be found and deleted. This isolate trusts the version it knows for VERSION_TTL_MS, so another
// isolate's change shows here within that time; its own changes show at once (forgetVersion).
import { openDb, postVersion } from "./db/comments.ts";

export const VERSION_TTL_MS = 5_000;
export const EDGE_TTL_S = 60;

export interface Entry {
  body: string;
  etag: string;
  status: number;
}

/** A Map that forgets its oldest entries beyond `max`: what one isolate keeps stays bounded. */
class Bounded<V> extends Map<string, V> {
  readonly max: number;
  constructor(max: number) {
    super();
    this.max = max;
  }
  override set(key: string, value: V): this {
    this.delete(key);
    super.set(key, value);
    while (this.size > this.max) this.delete(this.keys().next().value!);
    return this;
  }
}

export const MEMORY_MAX = 500;
const memory = new Bounded<Entry>(MEMORY_MAX);
const versions = new Bounded<{ version: number; at: number }>(2_000);

/** How many entries this isolate keeps (for tests: it never grows past MEMORY_MAX). */
export function memorySize(): number {
  return memory.size;
}

/** What a render read the version as, in the same snapshot as its comments. */
export function rememberVersion(slug: string, version: number, now = Date.now()): void {
  versions.set(slug, { version, at: now });
}

/** After a write to the post here: the next reader asks the database. */
export function forgetVersion(slug: string): void {
  versions.delete(slug);
}

/**
 * The post's version: known here for a few seconds, else read from D1. When D1 cannot be read the
 * last known version is used (cached pages stay up during an outage); null when none is known.
 */
export async function currentVersion(env: Env, slug: string, now = Date.now()): Promise<number | null> {
  const known = versions.get(slug);
  if (known && now - known.at < VERSION_TTL_MS) return known.version;
  try {
    const version = await postVersion(openDb(env.DB), slug);
    rememberVersion(slug, version, now);
    return version;
  } catch (err) {
    console.error("post version unavailable", slug, err instanceof Error ? err.message : err);
    return known?.version ?? null;
  }
}

function pageKey(origin: string, slug: string, page: number, version: number): string {
  return `${origin}/posts/${slug}/?page=${page}&billet-version=${version}`;
}

export async function getCachedPage(origin: string, slug: string, page: number, version: number): Promise<Entry | null> {
  const key = pageKey(origin, slug, page, version);
  const hit = memory.get(key);
  if (hit) return hit;
  const res = await caches.default.match(key);
  if (!res) return null;
  const entry = { body: await res.text(), etag: res.headers.get("ETag") ?? "", status: res.status };
  memory.set(key, entry);
  return entry;
}

export async function putCachedPage(origin: string, slug: string, page: number, version: number, entry: Entry): Promise<void> {
  const key = pageKey(origin, slug, page, version);
  memory.set(key, entry);
  const res = new Response(entry.body, {
    status: entry.status,
    headers: { "Content-Type": "text/html; charset=utf-8", ETag: entry.etag, "Cache-Control": `public, max-age=${EDGE_TTL_S}` },
  });
  await caches.default.put(key, res);
}

/** The comments JSON of a post for one query (limit, cursor, sort), from this isolate's memory. */
export function getCachedJson(slug: string, query: string, version: number): Entry | null {
  return memory.get(`json|${slug}|${version}|${query}`) ?? null;
}

export function putCachedJson(slug: string, query: string, version: number, entry: Entry): void {
  memory.set(`json|${slug}|${version}|${query}`, entry);
}
