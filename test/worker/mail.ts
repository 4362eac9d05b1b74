// An environment with email on: a queue and a mailbox that keep what they are given.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../../workers/index.ts";
import type { NotifyMessage } from "../../workers/mail/notify.ts";
import { fetchWith, newReader, SLUG } from "./helpers.ts";

export const AUTHOR = "arnaud@billet.example";
export interface Sent {
  from: { email: string };
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

/** An environment with email on, a queue and a mailbox that keep what they are given. */
export function mailEnv(extra: Partial<Env> = {}) {
  const queued: NotifyMessage[] = [];
  const mailbox: Sent[] = [];
  const overrides: Partial<Env> = {
    EMAIL_FROM: "billet@billet.example",
    AUTHOR_EMAIL: AUTHOR,
    EMAIL_NOTIFY: "each",
    PUBLIC_URL: "https://billet.test",
    NOTIFY: { sendBatch: async (batch: { body: NotifyMessage }[]) => void queued.push(...batch.map((m) => m.body)) } as unknown as Queue,
    EMAIL: {
      send: async (m: Sent) => {
        mailbox.push(m);
        return { messageId: `m${mailbox.length}` };
      },
    } as unknown as SendEmail,
    ...extra,
  };
  /** Runs the queue consumer on what was queued so far (and empties the queue). */
  const deliverQueued = async () => {
    const bodies = queued.splice(0);
    const batch = createMessageBatch<NotifyMessage>(
      "billet-notify",
      bodies.map((body, i) => ({ id: `q${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, ...overrides } as Env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([]);
  };
  const request = (path: string, init: RequestInit = {}) => fetchWith(overrides, path, init);
  const post = async (body: Record<string, unknown>) => {
    const res = await request(`/api/posts/${SLUG}/comments`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...newReader() },
      body: JSON.stringify(body),
    });
    expect([201, 202]).toContain(res.status);
    return ((await res.json()) as { comment: { id: number } }).comment.id;
  };
  return { overrides, queued, mailbox, deliverQueued, request, post };
}
