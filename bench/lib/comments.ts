// Comments the bench posts through the Worker's JSON API, and the change that clears a post's
// caches: a comment posted, then approved with the admin API (comments written straight into D1
// are invisible to the Worker's caches).
import { get } from "./http.ts";

/** The body of the bench's n-th comment (a name, a text that carries its number, a fill time). */
export function commentBody(runId: string, n: number): string {
  return JSON.stringify({
    author_name: `Lecteur de charge ${n % 100}`,
    content: `bench ${runId} n° ${n} — Merci pour ce billet, je le fais suivre à mon équipe.`,
    fill_ms: 6000,
  });
}

/**
 * Posts a comment to the post and approves it with the admin API when it is held: the post then
 * shows one more approved comment, and the Worker has cleared its caches of it. Returns its id.
 */
export async function postAndApprove(base: string, slug: string, token: string, body: string): Promise<number> {
  const res = await get(`${base}/api/posts/${slug}/comments`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  if (res.status !== 201 && res.status !== 202) throw new Error(`set-up check failed: posting a comment answered ${res.status}`);
  const id = ((await res.json()) as { comment: { id: number } }).comment.id;
  if (res.status === 202) {
    const ok = await get(`${base}/api/admin/comments/${id}/approve`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    if (ok.status !== 200) throw new Error(`set-up check failed: approving comment ${id} answered ${ok.status}`);
    await ok.body?.cancel();
  }
  return id;
}
