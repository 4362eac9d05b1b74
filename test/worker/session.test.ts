// Where each request's D1 queries go (workers/db/session.ts): a comment and its checks from the
// primary; the page, the JSON and the counts from the nearest copy, or from the bookmark of a reader
// who just wrote. Local D1 has no replicas, so what is checked is the session each request asks for.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fetchWith, newReader, SLUG, uniqueComment } from "./helpers.ts";
import { forgetPost } from "../../workers/pages/cache.ts";

/** The local D1, recording the constraint or bookmark of every session started on it, and queries made outside one. */
function recordingD1(): { db: D1Database; sessions: string[]; outside: string[] } {
  const sessions: string[] = [];
  const outside: string[] = [];
  const real = env.DB;
  const db = new Proxy(real, {
    get(target, name) {
      if (name === "withSession")
        return (start?: string) => {
          sessions.push(start ?? "(none)");
          return target.withSession(start);
        };
      if (name === "prepare" || name === "batch" || name === "exec") outside.push(String(name));
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, sessions, outside };
}

const post = (body: unknown) => ({ method: "POST", headers: { "Content-Type": "application/json", ...newReader() }, body: JSON.stringify(body) });

describe("D1 sessions (read replication)", () => {
  it("a new comment is checked and stored on the primary, and its answer carries the bookmark", async () => {
    const d1 = recordingD1();
    const res = await fetchWith({ DB: d1.db }, `/api/posts/${SLUG}/comments`, post(uniqueComment()));
    expect(res.status).toBe(202);
    expect(d1.sessions[0]).toBe("first-primary");
    expect(d1.outside).toEqual([]);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("billet_d1="))).toBe(true);
  });

  it("readers without a bookmark read the nearest copy: the JSON, the counts and the page", async () => {
    for (const path of [`/api/posts/${SLUG}/comments?limit=7`, `/api/comments/counts?posts=${SLUG}`, `/posts/${SLUG}/?reply_to=1`]) {
      forgetPost(SLUG); // nothing known in this isolate: the version is read too
      const d1 = recordingD1();
      const res = await fetchWith({ DB: d1.db }, path);
      expect(res.status, path).toBe(200);
      expect(d1.sessions.length, path).toBeGreaterThan(0);
      expect(new Set(d1.sessions), path).toEqual(new Set(["first-unconstrained"]));
      expect(d1.outside, path).toEqual([]);
    }
  });

  it("a reader who just wrote reads from their bookmark on, and sees their comment", async () => {
    const comment = uniqueComment();
    const res = await fetchWith({}, `/api/posts/${SLUG}/comments`, post(comment));
    const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0]);
    const bookmark = cookies.find((c) => c.startsWith("billet_d1="))!.slice("billet_d1=".length);
    const d1 = recordingD1();
    const page = await fetchWith({ DB: d1.db }, `/posts/${SLUG}/`, { headers: { Cookie: cookies.join("; ") } });
    expect(page.status).toBe(200);
    expect(d1.sessions).toContain(bookmark);
    expect(d1.sessions).not.toContain("first-unconstrained");
    expect(await page.text()).toContain(String(comment.content));
  });
});
