// The ways through a blog the build pre-renders: tags and categories, archives by year and month,
// the previous and next post, related posts. Plain functions of the posts (newest first), no I/O.
import { termSlug, type TermKind } from "../workers/render/addresses.ts";
import type { Post } from "./content.ts";

/** The map's value for a key, made and stored the first time. */
function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

export interface Term {
  kind: TermKind;
  slug: string;
  /** The spelling most posts use (names that give the same slug are one term). */
  name: string;
  /** Newest first. */
  posts: Post[];
}

/** A post's own names of a kind, one per slug (in the order written). */
export function termNamesOf(post: Post, kind: TermKind): string[] {
  const names = kind === "tags" ? post.tags : (post.categories ?? []);
  const seen = new Set<string>();
  return names.filter((name) => {
    const slug = termSlug(name);
    if (!name.trim() || seen.has(slug)) return false;
    seen.add(slug);
    return true;
  });
}

/** Every tag or category with its posts, by name in the site's language. */
export function collectTerms(posts: Post[], kind: TermKind, lang = "fr"): Term[] {
  const bySlug = new Map<string, { posts: Post[]; spellings: Map<string, number> }>();
  for (const post of posts) {
    for (const name of termNamesOf(post, kind)) {
      const slug = termSlug(name);
      const entry = getOrAdd(bySlug, slug, () => ({ posts: [] as Post[], spellings: new Map<string, number>() }));
      entry.posts.push(post);
      entry.spellings.set(name, (entry.spellings.get(name) ?? 0) + 1);
    }
  }
  const collator = new Intl.Collator(lang, { sensitivity: "base", numeric: true });
  return [...bySlug]
    .map(([slug, { posts, spellings }]) => {
      const [name] = [...spellings].sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0]) || (a[0] < b[0] ? -1 : 1))[0];
      return { kind, slug, name, posts };
    })
    .sort((a, b) => collator.compare(a.name, b.name) || (a.slug < b.slug ? -1 : 1));
}

export interface Month {
  year: number;
  month: number;
  posts: Post[];
}
export interface Year {
  year: number;
  /** Newest month first. */
  months: Month[];
  posts: Post[];
}

/** The year and month of a post in the site's time zone (a post of 31 Dec 23:30 in Paris is December's). */
export function yearMonthOf(iso: string, timeZone: string): { year: number; month: number } {
  const parts = monthFormat(timeZone).formatToParts(new Date(iso));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part("year"), month: part("month") };
}
const formats = new Map<string, Intl.DateTimeFormat>();
function monthFormat(timeZone: string): Intl.DateTimeFormat {
  return getOrAdd(formats, timeZone, () => new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric" }));
}

/** Years, newest first, each with its months; posts stay newest first. */
export function collectArchives(posts: Post[], timeZone: string): Year[] {
  const years = new Map<number, Year>();
  for (const post of posts) {
    const { year, month } = yearMonthOf(post.date, timeZone);
    const y = getOrAdd(years, year, (): Year => ({ year, months: [], posts: [] }));
    y.posts.push(post);
    let m = y.months.find((x) => x.month === month);
    if (!m) {
      m = { year, month, posts: [] };
      y.months.push(m);
    }
    m.posts.push(post);
  }
  const list = [...years.values()].sort((a, b) => b.year - a.year);
  for (const y of list) y.months.sort((a, b) => b.month - a.month);
  return list;
}

/** The posts before (older) and after (newer) each one, by date. `posts` newest first. */
export function neighbours(posts: Post[]): Map<string, { older: Post | null; newer: Post | null }> {
  return new Map(posts.map((p, i) => [p.slug, { older: posts[i + 1] ?? null, newer: posts[i - 1] ?? null }]));
}

/** Related posts shown under a post. */
export const RELATED_COUNT = 5;
/**
 * How many posts of a tag, nearest in time on each side, are looked at for each post: a tag on
 * half the blog would otherwise make the build quadratic. Below that size every post is seen.
 */
export const RELATED_WINDOW = 60;

/**
 * Up to `count` related posts for each post: the most tags in common (categories in common break
 * ties), then the nearest in time, then by slug. Only posts that share a tag or a category.
 * `posts` newest first.
 */
export function relatedPosts(posts: Post[], count = RELATED_COUNT, window = RELATED_WINDOW): Map<string, Post[]> {
  const time = new Map(posts.map((p) => [p.slug, Date.parse(p.date)]));
  // Each term's posts, newest first, with each post's place in it.
  const lists = new Map<string, Post[]>();
  const places = new Map<string, Map<string, number>>();
  const keysOf = new Map<string, { tags: Set<string>; categories: Set<string> }>();
  for (const post of posts) {
    const tags = new Set(termNamesOf(post, "tags").map((n) => `t:${termSlug(n)}`));
    const categories = new Set(termNamesOf(post, "categories").map((n) => `c:${termSlug(n)}`));
    keysOf.set(post.slug, { tags, categories });
    for (const key of [...tags, ...categories]) {
      const list = getOrAdd(lists, key, () => [] as Post[]);
      getOrAdd(places, key, () => new Map<string, number>()).set(post.slug, list.length);
      list.push(post);
    }
  }
  const result = new Map<string, Post[]>();
  for (const post of posts) {
    const own = keysOf.get(post.slug)!;
    const t = time.get(post.slug)!;
    const candidates = new Map<string, Post>();
    for (const key of [...own.tags, ...own.categories]) {
      const list = lists.get(key)!;
      const at = places.get(key)!.get(post.slug)!;
      for (let i = Math.max(0, at - window); i <= Math.min(list.length - 1, at + window); i++)
        if (list[i].slug !== post.slug) candidates.set(list[i].slug, list[i]);
    }
    const scored = [...candidates.values()].map((other) => {
      const keys = keysOf.get(other.slug)!;
      let tags = 0;
      let categories = 0;
      for (const k of keys.tags) if (own.tags.has(k)) tags++;
      for (const k of keys.categories) if (own.categories.has(k)) categories++;
      return { other, tags, categories, distance: Math.abs(time.get(other.slug)! - t) };
    });
    scored.sort(
      (a, b) =>
        b.tags - a.tags || b.categories - a.categories || a.distance - b.distance || (a.other.slug < b.other.slug ? -1 : a.other.slug > b.other.slug ? 1 : 0),
    );
    result.set(
      post.slug,
      scored.slice(0, count).map((s) => s.other),
    );
  }
  return result;
}

/** Pages of a list: page n (1-based) holds items (n-1)·perPage … n·perPage − 1; at least one page. */
export function pagesOf<T>(items: T[], perPage: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += perPage) pages.push(items.slice(i, i + perPage));
  return pages.length ? pages : [[]];
}

/** The first image of a post's HTML, if any (for OpenGraph). */
export function firstImage(html: string): string | null {
  const m = /<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s>]+))/i.exec(html);
  const src = m ? (m[1] ?? m[2] ?? m[3]) : null;
  return src && !src.startsWith("data:") ? src.replace(/&amp;/g, "&") : null;
}
