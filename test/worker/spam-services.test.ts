// The optional outside anti-spam services, with their HTTP APIs stubbed: Turnstile and Akismet.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../workers/index.ts";
import { expectError, newReader, ORIGIN, SLUG, uniqueComment } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

async function postWith(overrides: Partial<Env>, body: Record<string, unknown>): Promise<Response> {
  const ctx = createExecutionContext();
  const req = new Request(`${ORIGIN}/api/posts/${SLUG}/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...newReader() },
    body: JSON.stringify(body),
  });
  const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, { ...env, MODERATION: "none", ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function statusOf(res: Response): Promise<{ status: string; held_for: string | null }> {
  const { comment } = (await res.json()) as { comment: { id: number } };
  return (await env.DB.prepare("SELECT status, held_for FROM comments WHERE id = ?").bind(comment.id).first())!;
}

describe("Turnstile (TURNSTILE_SECRET set)", () => {
  it("refuses a comment without a token, and one whose token fails, storing nothing", async () => {
    const spy = vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json({ success: false }));
    const missing = await expectError(await postWith({ TURNSTILE_SECRET: "s3cret" }, uniqueComment()), 422, "validation_failed");
    expect(missing.error.fields).toEqual({ "cf-turnstile-response": "required" });
    const failed = await expectError(
      await postWith({ TURNSTILE_SECRET: "s3cret" }, uniqueComment({ "cf-turnstile-response": "bad" })),
      422,
      "validation_failed",
    );
    expect(failed.error.fields).toEqual({ "cf-turnstile-response": "invalid" });
    expect(spy).toHaveBeenCalledTimes(1);
    const [url, init] = spy.mock.calls[0];
    expect(String(url)).toBe("https://challenges.cloudflare.com/turnstile/v0/siteverify");
    const form = init!.body as FormData;
    expect(form.get("secret")).toBe("s3cret");
    expect(form.get("response")).toBe("bad");
  });

  it("accepts a comment whose token passes", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json({ success: true }));
    const res = await postWith({ TURNSTILE_SECRET: "s3cret" }, uniqueComment({ "cf-turnstile-response": "good" }));
    expect(res.status).toBe(201);
  });

  it("answers 503 when Turnstile cannot be reached, storing nothing", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("fetch failed"));
    const input = uniqueComment({ "cf-turnstile-response": "good" });
    await expectError(await postWith({ TURNSTILE_SECRET: "s3cret" }, input), 503, "service_unavailable");
    expect(
      await env.DB.prepare("SELECT id FROM comments WHERE content = ?")
        .bind(input.content as string)
        .first(),
    ).toBeNull();
  });

  it("answers 503, not 422, when Turnstile itself fails (a 5xx, or its internal-error)", async () => {
    const input = uniqueComment({ "cf-turnstile-response": "good" });
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(new Response("upstream error", { status: 500 }));
    await expectError(await postWith({ TURNSTILE_SECRET: "s3cret" }, input), 503, "service_unavailable");
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(Response.json({ success: false, "error-codes": ["internal-error"] }));
    await expectError(await postWith({ TURNSTILE_SECRET: "s3cret" }, input), 503, "service_unavailable");
    expect(
      await env.DB.prepare("SELECT id FROM comments WHERE content = ?")
        .bind(input.content as string)
        .first(),
    ).toBeNull();
  });
});

describe("Akismet (AKISMET_KEY set)", () => {
  it("marks spam what Akismet calls spam, publishes what it clears", async () => {
    const spy = vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(new Response("true")).mockResolvedValueOnce(new Response("false"));
    expect(await statusOf(await postWith({ AKISMET_KEY: "k3y" }, uniqueComment()))).toEqual({ status: "spam", held_for: "akismet" });
    expect(await statusOf(await postWith({ AKISMET_KEY: "k3y" }, uniqueComment()))).toEqual({ status: "approved", held_for: null });
    const [url, init] = spy.mock.calls[0];
    expect(String(url)).toBe("https://k3y.rest.akismet.com/1.1/comment-check");
    expect(new URLSearchParams(String(init!.body)).get("comment_type")).toBe("comment");
  });

  it("holds the comment for moderation when Akismet is down", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("fetch failed"));
    expect(await statusOf(await postWith({ AKISMET_KEY: "k3y" }, uniqueComment()))).toEqual({ status: "pending", held_for: "akismet_unavailable" });
  });
});

describe("Turnstile on the page (TURNSTILE_SITE_KEY set)", () => {
  it("puts the challenge in the form and lets its script through the CSP", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${ORIGIN}/posts/${SLUG}/?reply_to=1`) as Request<unknown, IncomingRequestCfProperties>,
      { ...env, TURNSTILE_SITE_KEY: "0x4AAAAAAtest" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const html = await res.text();
    expect(html).toContain('<div class="turnstile" data-sitekey="0x4AAAAAAtest"></div>');
    expect(html).toContain("<noscript>");
    expect(res.headers.get("Content-Security-Policy")).toContain("script-src 'self' https://challenges.cloudflare.com;");
  });
});
