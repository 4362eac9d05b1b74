// Post records in KV, written by the publish step (scripts/build.ts → wrangler kv bulk put).
// `post:<slug>` holds one post; `posts:index` the list the home page and GET /api/posts show.

export interface PostRecord {
  slug: string;
  title: string;
  date: string;
  updated?: string;
  author: string;
  lang: string;
  tags: string[];
  summary: string;
  url: string;
  comments_open: boolean;
  /** ISO date after which comments close, or null. */
  comments_close_at: string | null;
}

/** The part of a KV namespace this module reads with (keeps the module usable from Node tools). */
interface KVReader {
  get(key: string, options: { cacheTtl: number }): Promise<string | null>;
}

export const postKey = (slug: string) => `post:${slug}`;
export const POST_INDEX_KEY = "posts:index";

function isPostRecord(value: unknown): value is PostRecord {
  const p = value as PostRecord;
  return (
    typeof p === "object" &&
    p !== null &&
    typeof p.slug === "string" &&
    typeof p.title === "string" &&
    typeof p.date === "string" &&
    typeof p.lang === "string" &&
    typeof p.comments_open === "boolean"
  );
}

/** The post, or null when there is none (or its record is unreadable, which is logged). */
export async function getPost(kv: KVReader, slug: string): Promise<PostRecord | null> {
  const raw = await kv.get(postKey(slug), { cacheTtl: 60 });
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw);
    if (isPostRecord(value)) return value;
  } catch {
    // fall through
  }
  console.error(`post record ${postKey(slug)} is corrupt`);
  return null;
}

export async function listPosts(kv: KVReader): Promise<PostRecord[]> {
  const raw = await kv.get(POST_INDEX_KEY, { cacheTtl: 60 });
  if (raw === null) return [];
  try {
    const value = JSON.parse(raw);
    if (Array.isArray(value)) return value.filter(isPostRecord);
  } catch {
    // fall through
  }
  console.error(`${POST_INDEX_KEY} is corrupt`);
  return [];
}

/** Comments are accepted while the post is open and its closing date (if any) has not passed. */
export function commentsOpen(post: PostRecord, now = Date.now()): boolean {
  if (!post.comments_open) return false;
  return post.comments_close_at === null || Date.parse(post.comments_close_at) > now;
}
