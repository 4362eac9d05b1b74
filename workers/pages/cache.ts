// What readers of a post get over and over, cached per post: its pages (with their comments) in
// this isolate's memory and in the data centre's Cache API, and its comments JSON in memory.
//
// Every key holds the post's state: the version of its comments, which the database replaces on
// every change readers can see (migrations/0005_post-versions.sql) in the same transaction as the
// change; and its record as read from KV (its title, whether it takes comments, which a closing
// date changes by itself). A copy made from an older state is filed under an older key and never
// served again, whichever isolate or data centre made it, and a render stores what it read under
// the state it read with it: nothing has to be found and deleted. This isolate trusts the state it
// knows for VERSION_TTL_MS, so another isolate's change shows here within that time (a republished
// record, once KV shows it); its own changes show at once (forgetVersion).
import { getConfig } from "../config.ts";
import { openSession, postVersion } from "../db/comments.ts";
import { commentsOpen, getPost, type PostRecord } from "../store/posts.ts";

export const VERSION_TTL_MS = 5_000;
export const EDGE_TTL_S = 60;

export interface Entry {
  /** Pages are kept encoded (UTF-8), so that answering from memory encodes nothing. */
  body: string | Uint8Array;
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
// What this isolate knows of each post, and since when: its comments' version (null once a write
// here changed it), and its record as read from KV.
const versions = new Bounded<{ version: number | null; at: number }>(2_000);
const records = new Bounded<{ post: PostRecord | null; at: number }>(2_000);

/** How many entries this isolate keeps (for tests: it never grows past MEMORY_MAX). */
export function memorySize(): number {
  return memory.size;
}

// Fingerprints of the records (and settings) this isolate has seen (a record object is read once per state).
const prints = new WeakMap<object, string>();

/** A short fingerprint of a post record or of the settings (FNV-1a), computed once per object. */
function fingerprint(value: object | null): string {
  if (value && prints.has(value)) return prints.get(value)!;
  if (!value) return "none";
  let h = 0x811c9dc5;
  for (const c of JSON.stringify(value)) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  prints.set(value, h.toString(36));
  return h.toString(36);
}

/** The key of what a post's readers see: its comments' version, its record, whether it is open now. */
export function stateKey(version: number, post: PostRecord | null, now = Date.now()): string {
  return `${version}.${fingerprint(post)}.${post && commentsOpen(post, now) ? "open" : "closed"}`;
}

// What is known is dated by when it was read (not by the `now` a caller asks about).

/** The version a render (or a list) read, in the same snapshot as its comments. */
export function rememberVersion(slug: string, version: number): void {
  versions.set(slug, { version, at: Date.now() });
}

/** After a write to the post here: the next reader asks the database. */
export function forgetVersion(slug: string): void {
  versions.set(slug, { version: null, at: 0 });
}

/** For tests: this isolate forgets what it knows of a post, as it does by itself a few seconds later. */
export function forgetPost(slug: string): void {
  versions.delete(slug);
  records.delete(slug);
}

/** The post's version as this isolate knows it now, or null when it must ask the database. */
export function knownVersion(slug: string, now = Date.now()): number | null {
  const known = versions.get(slug);
  return known && now - known.at < VERSION_TTL_MS ? known.version : null;
}

/** The post's record: known here for a few seconds, else read from KV (and then known). */
export async function knownPost(env: Env, slug: string, now = Date.now()): Promise<PostRecord | null> {
  const known = records.get(slug);
  if (known && now - known.at < VERSION_TTL_MS) return known.post;
  const post = await getPost(env.POSTS, slug);
  records.set(slug, { post, at: Date.now() });
  return post;
}

/**
 * The last state this isolate knew of the post, however old, or null: when the database cannot be
 * read, the pages cached under it stay up.
 */
export function lastKnownKey(slug: string, now = Date.now()): string | null {
  const version = versions.get(slug)?.version;
  const record = records.get(slug);
  return version != null && record ? stateKey(version, record.post, now) : null;
}

/**
 * The post's state key: known here for a few seconds, else read from D1 and KV. When they cannot
 * be read the last known state is used (cached pages stay up during an outage); null when none is.
 */
export async function currentKey(env: Env, slug: string, now = Date.now()): Promise<string | null> {
  try {
    const known = knownVersion(slug, now);
    const [version, post] = await Promise.all([known ?? postVersion(openSession(env.DB, null).db, slug), knownPost(env, slug, now)]);
    if (known === null) rememberVersion(slug, version);
    return stateKey(version, post, now);
  } catch (err) {
    console.error("post state unavailable", slug, err instanceof Error ? err.message : err);
    return lastKnownKey(slug, now);
  }
}

// A page in another order than the default is another page (`sort`, "?sort=" of the address); and
// one made under other settings ([vars]: faces, reactions, page size…) too, so a change of them
// shows at once after the deploy instead of at each post's next change.
function pageKey(env: Env, origin: string, slug: string, page: number, state: string, sort?: string): string {
  return `${origin}/posts/${slug}/?page=${page}${sort ? `&sort=${sort}` : ""}&billet-state=${state}&billet-settings=${fingerprint(getConfig(env))}`;
}

/**
 * The key of an answer made from a post's or a thread's comments at `version` under this
 * deployment's settings (the embedded fragment): `address` is the request's own (its query says
 * what it shows).
 */
export function answerKey(env: Env, address: string, version: number): string {
  const url = new URL(address);
  url.searchParams.set("billet-state", String(version));
  url.searchParams.set("billet-settings", fingerprint(getConfig(env)));
  return url.toString();
}

export function getCachedPage(env: Env, origin: string, slug: string, page: number, state: string, sort?: string): Promise<Entry | null> {
  return getCachedAnswer(pageKey(env, origin, slug, page, state, sort));
}

export function putCachedPage(env: Env, origin: string, slug: string, page: number, state: string, entry: Entry, sort?: string): Promise<void> {
  return putCachedAnswer(pageKey(env, origin, slug, page, state, sort), entry, "text/html; charset=utf-8");
}

/** The comments JSON of a post for one query (limit, cursor, sort), from this isolate's memory. */
export function getCachedJson(slug: string, query: string, state: string): Entry | null {
  return memory.get(`json|${slug}|${state}|${query}`) ?? null;
}

export function putCachedJson(slug: string, query: string, state: string, entry: Entry): void {
  memory.set(`json|${slug}|${state}|${query}`, entry);
}

/**
 * An answer made from a post's or the site's state (a page, a feed), cached under a key that holds
 * that state: in this isolate's memory and in the data centre's Cache API.
 */
export async function getCachedAnswer(key: string): Promise<Entry | null> {
  const hit = memory.get(key);
  if (hit) return hit;
  const res = await caches.default.match(key);
  if (!res) return null;
  const entry = { body: new Uint8Array(await res.arrayBuffer()), etag: res.headers.get("ETag") ?? "", status: res.status };
  memory.set(key, entry);
  return entry;
}

export async function putCachedAnswer(key: string, entry: Entry, contentType: string): Promise<void> {
  memory.set(key, entry);
  await caches.default.put(
    key,
    new Response(entry.body, {
      status: entry.status,
      headers: { "Content-Type": contentType, ETag: entry.etag, "Cache-Control": `public, max-age=${EDGE_TTL_S}` },
    }),
  );
}
