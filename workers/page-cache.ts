// What readers of a post get over and over, cached per post: its pages (with their comments) and
// its comments JSON. Two layers for pages: this isolate's memory (a few seconds, so other
// isolates' writes show quickly) and the data centre's Cache API (a minute); the JSON is kept in
// memory only. A change to a thread clears both here; other data centres catch up when their copy
// expires. Readers with their own pending comments, or a fresh write, skip the cache.

export const MEMORY_TTL_MS = 5_000;
export const EDGE_TTL_S = 60;

export interface Entry {
  body: string;
  etag: string;
  status: number;
  storedAt: number;
}

const memory = new Map<string, Entry>();
const MEMORY_MAX = 500;
// The memory keys of each post, and the highest page of it put in the Cache API, so that
// invalidation knows what to forget.
const keysOfPost = new Map<string, Set<string>>();
const highestPage = new Map<string, number>();

function pageUrl(origin: string, slug: string, page: number): string {
  return `${origin}/posts/${slug}/?page=${page}&billet-cache=1`;
}

function remember(slug: string, key: string, entry: Entry): void {
  if (memory.size >= MEMORY_MAX) memory.delete(memory.keys().next().value!);
  memory.set(key, entry);
  let keys = keysOfPost.get(slug);
  if (!keys) keysOfPost.set(slug, (keys = new Set()));
  keys.add(key);
}

function fresh(key: string, now: number): Entry | null {
  const hit = memory.get(key);
  return hit && now - hit.storedAt < MEMORY_TTL_MS ? hit : null;
}

export async function getCachedPage(origin: string, slug: string, page: number, now = Date.now()): Promise<Entry | null> {
  const key = pageUrl(origin, slug, page);
  const hit = fresh(key, now);
  if (hit) return hit;
  const res = await caches.default.match(key);
  if (!res) return null;
  const entry = { body: await res.text(), etag: res.headers.get("ETag") ?? "", status: res.status, storedAt: now };
  remember(slug, key, entry);
  return entry;
}

export async function putCachedPage(origin: string, slug: string, page: number, entry: Entry): Promise<void> {
  const key = pageUrl(origin, slug, page);
  remember(slug, key, entry);
  highestPage.set(slug, Math.max(page, highestPage.get(slug) ?? 1));
  const res = new Response(entry.body, {
    status: entry.status,
    headers: { "Content-Type": "text/html; charset=utf-8", ETag: entry.etag, "Cache-Control": `public, max-age=${EDGE_TTL_S}` },
  });
  await caches.default.put(key, res);
}

/** The comments JSON of a post for one query (limit, cursor, sort), from this isolate's memory. */
export function getCachedJson(slug: string, query: string, now = Date.now()): Entry | null {
  return fresh(`json|${slug}|${query}`, now);
}

export function putCachedJson(slug: string, query: string, entry: Entry): void {
  remember(slug, `json|${slug}|${query}`, entry);
}

/** Forgets everything cached of a post's comments (called after any change readers can see). */
export async function invalidatePost(origin: string, slug: string): Promise<void> {
  for (const key of keysOfPost.get(slug) ?? []) memory.delete(key);
  keysOfPost.delete(slug);
  const deletes: Promise<boolean>[] = [];
  const last = (highestPage.get(slug) ?? 1) + 1;
  for (let page = 1; page <= last; page++) deletes.push(caches.default.delete(pageUrl(origin, slug, page)));
  await Promise.all(deletes);
}
