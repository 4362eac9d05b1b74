import { describe, expect, it } from "vitest";
import { call, SLUG } from "./helpers.ts";

describe("smoke", () => {
  it("lists the seed comments", async () => {
    const res = await call(`/api/posts/${SLUG}/comments`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { comments: unknown[] };
    expect(body.comments).toHaveLength(6);
  });
  it("serves the page", async () => {
    const res = await call(`/posts/${SLUG}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Vos réactions");
  });
});
