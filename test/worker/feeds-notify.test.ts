// The per-post comments feed, and new-comment notifications through the queue to the webhook.
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../workers/index.ts";
import { retryDelaySeconds, type NotifyMessage } from "../../workers/mail/notify.ts";
import { approve, call, newReader, ORIGIN, postJson, SLUG, uniqueComment } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /posts/:slug/comments.xml", () => {
  it("is an Atom feed of the approved comments, newest first, escaped", async () => {
    const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment({ author_name: "Zoé <b>", content: `Fin & <suite> ${crypto.randomUUID()}` }));
    const { comment } = (await res.json()) as { comment: { id: number } };
    await approve(comment.id);
    const feed = await call(`/posts/${SLUG}/comments.xml`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get("Content-Type")).toBe("application/atom+xml; charset=utf-8");
    const xml = await feed.text();
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">');
    expect(xml).toContain("<title>Vos réactions · Réseaux sociaux, trois ans après</title>");
    const ids = [...xml.matchAll(/<id>[^<]*#comment-(\d+)<\/id>/g)].map((m) => Number(m[1]));
    expect(ids[0]).toBe(comment.id);
    expect(ids).toContain(1);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(xml).toContain("<title>Zoé &lt;b&gt;</title>");
    expect(xml).toContain("Fin &amp;amp; &amp;lt;suite&amp;gt;");
    expect(xml).not.toContain("<b>");
  });

  it("is 404 for an unknown post", async () => {
    expect((await call("/posts/nope/comments.xml")).status).toBe(404);
  });
});

async function fetchWith(overrides: Partial<Env>, path: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, init) as Request<unknown, IncomingRequestCfProperties>, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const post = (body: unknown) => ({ method: "POST", headers: { "Content-Type": "application/json", ...newReader() }, body: JSON.stringify(body) });

describe("notifications", () => {
  it("queue a message for each new comment when a webhook is configured", async () => {
    const sent: unknown[] = [];
    const queue = { sendBatch: async (batch: { body: unknown }[]) => void sent.push(...batch.map((m) => m.body)) } as unknown as Queue;
    const res = await fetchWith({ WEBHOOK_URL: "https://hooks.example/billet", NOTIFY: queue }, `/api/posts/${SLUG}/comments`, post(uniqueComment()));
    expect(res.status).toBe(202);
    const { comment } = (await res.json()) as { comment: { id: number } };
    expect(sent).toEqual([{ event: "comment.created", channel: "webhook", comment_id: comment.id, post_slug: SLUG }]);
  });

  it("never cost the reader their comment when the queue is down", async () => {
    const broken = { sendBatch: () => Promise.reject(new Error("Queue send failed: 503")) } as unknown as Queue;
    const input = uniqueComment();
    const res = await fetchWith({ WEBHOOK_URL: "https://hooks.example/billet", NOTIFY: broken }, `/api/posts/${SLUG}/comments`, post(input));
    expect(res.status).toBe(202);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM comments WHERE content = ?")
      .bind(input.content as string)
      .first<{ n: number }>();
    expect(row?.n).toBe(1);
  });

  it("deliver to the webhook, and retry with backoff while it is down", async () => {
    const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment({ author_name: "Notifiée", author_email: "secret@example.org" }));
    const { comment } = (await res.json()) as { comment: { id: number } };
    const calls: { url: string; body: Record<string, unknown> }[] = [];
    let answer = 500;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      calls.push({ url: String(input instanceof Request ? input.url : input), body: JSON.parse(String(init?.body)) });
      return new Response(null, { status: answer });
    });
    const run = async (attempts: number) => {
      const batch = createMessageBatch<NotifyMessage>("billet-notify", [
        { id: `m${attempts}`, timestamp: Date.now(), attempts, body: { event: "comment.created", comment_id: comment.id, post_slug: SLUG } },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch, { ...env, WEBHOOK_URL: "https://hooks.example/billet" }, ctx);
      return getQueueResult(batch, ctx);
    };
    const down = await run(3);
    expect(down.retryMessages.map((m) => m.msgId)).toEqual(["m3"]);
    expect(down.explicitAcks).toEqual([]);
    answer = 204;
    const up = await run(4);
    expect(up.explicitAcks).toEqual(["m4"]);
    expect(calls).toHaveLength(2);
    expect(calls[1].url).toBe("https://hooks.example/billet");
    expect(calls[1].body).toMatchObject({
      event: "comment.created",
      post: { slug: SLUG, title: "Réseaux sociaux, trois ans après" },
      comment: { id: comment.id, status: "pending", author: { name: "Notifiée" } },
    });
    expect(JSON.stringify(calls[1].body)).not.toContain("secret@example.org");
  });

  it("back off from 30 s, doubling, to at most an hour", () => {
    expect([1, 2, 3, 4, 20].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 3600]);
  });
});
