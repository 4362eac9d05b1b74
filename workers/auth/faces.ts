// Whose face a comment shows: the blog's author has one face; a reader's comes from their email
// (lower-cased), or from their name when they gave none. Keys are kept by this isolate, so a page
// rendered again after a change costs no hashing for the commenters it already showed.
import { getConfig } from "../config.ts";
import { facePath, remoteFacePath } from "../render/faces.ts";
import { faceKey, sealEmailHash } from "./tokens.ts";

export interface FaceOwner {
  authorName: string;
  authorEmail?: string | null;
  byAuthor?: boolean | null;
}

/** What a face is drawn from (kept in memory only, never shown or stored). */
export function faceSubject(c: FaceOwner): string {
  if (c.byAuthor) return "author";
  const email = c.authorEmail?.trim().toLowerCase();
  return email ? `email|${email}` : `name|${c.authorName.trim().toLowerCase()}`;
}

// By secret: a key made with one secret is never shown under another.
const keptBySecret = new Map<string, Map<string, string>>();
const KNOWN_MAX = 10_000;

/** The face address of each comment, in order (null for an empty place, or without the signing secret). */
export async function facesOf(env: Env, rows: readonly (FaceOwner & { removed?: boolean })[]): Promise<(string | null)[]> {
  const remote = getConfig(env).avatars !== "identicon";
  const secret = `${remote ? "remote" : "identicon"}|${typeof env.SIGNING_SECRET === "string" ? env.SIGNING_SECRET : ""}`;
  let known = keptBySecret.get(secret);
  if (!known) {
    keptBySecret.clear();
    known = new Map();
    keptBySecret.set(secret, known);
  }
  if (known.size > KNOWN_MAX) known.clear();
  const subjects = rows.map((r) => (r.removed || (!r.authorName && !r.authorEmail && !r.byAuthor) ? null : faceSubject(r)));
  const missing = [...new Set(subjects.filter((s): s is string => s !== null && !known.has(s)))];
  const made = await Promise.all(
    missing.map(async (s) => {
      const key = await faceKey(env, s);
      // A picture elsewhere is looked for only by an email.
      const sealed = key && remote && s.startsWith("email|") ? await sealEmailHash(env, s.slice("email|".length)) : null;
      return key && (sealed ? remoteFacePath(key, sealed) : facePath(key));
    }),
  );
  const paths = new Map<string, string>();
  missing.forEach((s, i) => {
    const path = made[i];
    if (path) paths.set(s, path);
  });
  // Only keys made with a secret are kept (a missing secret is not remembered as "no face").
  for (const [s, path] of paths) known.set(s, path);
  return subjects.map((s) => (s === null ? null : (known.get(s) ?? null)));
}

/** For tests: forget the keys this isolate made (after changing the secret). */
export function forgetFaces(): void {
  keptBySecret.clear();
}
