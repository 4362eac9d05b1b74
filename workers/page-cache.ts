// The post page with its comments, cached per post and page of threads.
// Two layers: this isolate's memory (a few seconds, so other isolates' writes show quickly) and the
// data centre's Cache API (minutes). A change to a thread clears both here; other data centres
// catch up when their copy expires. Readers with their own pending comments skip the cache.

export const MEMORY_TTL_MS = 5_000;
export const EDGE_TTL_S = 60;

interface Entry {
  body: string;
  etag: string;
  status: number;
  storedAt: number;
}

const memory = new Map<string, Entry>();
const MEMORY_MAX = 500;
// The highest page of each post cached here, so invalidation knows how many pages to forget.
const highestPage = new Map<string, number>();

function cacheUrl(origin: string, slug: string, page: number): string {
  return `${origin}/posts/${slug}/?page=${page}&billet-cache=1`;
}

export async function getCachedPage(origin: string, slug: string, page: number, now = Date.now()): Promise<Entry | null> {
  const key = cacheUrl(origin, slug, page);
  const hit = memory.get(key);
  if (hit && now - hit.storedAt < MEMORY_TTL_MS) return hit;
  const res = await caches.default.match(key);
  if (!res) return null;
  const entry = { body: await res.text(), etag: res.headers.get("ETag") ?? "", status: res.status, storedAt: now };
  remember(key, entry);
  return entry;
}

export async function putCachedPage(origin: string, slug: string, page: number, entry: Entry): Promise<void> {
  const key = cacheUrl(origin, slug, page);
  remember(key, entry);
  highestPage.set(slug, Math.max(page, highestPage.get(slug) ?? 1));
  const res = new Response(entry.body, {
    status: entry.status,
    headers: { "Content-Type": "text/html; charset=utf-8", ETag: entry.etag, "Cache-Control": `public, max-age=${EDGE_TTL_S}` },
  });
  await caches.default.put(key, res);
}

function remember(key: string, entry: Entry): void {
  if (memory.size >= MEMORY_MAX) memory.delete(memory.keys().next().value!);
  memory.set(key, entry);
}

/** Forgets every cached page of a post's comments (called after any change to its thread). */
export async function invalidatePost(origin: string, slug: string): Promise<void> {
  const deletes: Promise<boolean>[] = [];
  const last = (highestPage.get(slug) ?? 1) + 1;
  for (let page = 1; page <= last; page++) {
    const key = cacheUrl(origin, slug, page);
    memory.delete(key);
    deletes.push(caches.default.delete(key));
  }
  await Promise.all(deletes);
}

/** Forgets everything in this isolate's memory (tests, and after bulk moderation). */
export function clearMemory(): void {
  memory.clear();
  highestPage.clear();
}
