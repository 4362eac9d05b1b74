// The old blog's listings through the Worker: the KV records the build writes for its tag,
// category, date and home addresses (percent-encoded either way, with a double slash, paged), its
// search, and an old post number that was not imported.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { buildRedirects } from "../../scripts/redirects.ts";
import { archivePath, termFeedPath, termPath } from "../../workers/render/addresses.ts";
import { call } from "./helpers.ts";

const GREEK = "/tag/%ce%b5%ce%bb%ce%bb%ce%ac%ce%b4%ce%b1/";

beforeAll(async () => {
  const { kv } = buildRedirects([], [], {
    [GREEK]: termPath("tags", "Ελλάδα"),
    [`${GREEK}feed/`]: termFeedPath("tags", "Ελλάδα"),
    "/blog/": "/",
    "/blog/category/voyages/grece/": termPath("categories", "Grèce"),
    "/blog/2011/03/": archivePath(2011, 3),
    "/blog/2011/03/05/": archivePath(2011, 3),
    "/blog/author/jeandupont/": archivePath(),
    // Never published: billet's own addresses.
    "/posts/a/": "/elsewhere/",
    "/tags/x/": "/elsewhere/",
  });
  for (const r of kv) await env.POSTS.put(r.key, r.value);
});

const location = async (path: string) => {
  const res = await call(path, { redirect: "manual" });
  const to = res.headers.get("Location")?.replace("https://billet.test", "");
  await res.body?.cancel();
  return `${res.status}${to ? ` ${to}` : ""}`;
};

describe("the old blog's listings", () => {
  it("a percent-encoded Greek tag, whatever the case of its hex digits, its feed and its pages", async () => {
    const tag = termPath("tags", "Ελλάδα");
    expect(tag).toMatch(/^\/tags\/t-[0-9a-f]{8}\/$/);
    expect(await location(GREEK)).toBe(`301 ${tag}`);
    expect(await location(GREEK.toUpperCase().replace("/TAG/", "/tag/"))).toBe(`301 ${tag}`);
    expect(await location("/tag/%CE%B5%ce%bb%CE%BB%ce%ac%CE%B4%ce%b1/")).toBe(`301 ${tag}`);
    expect(await location(`${GREEK}feed/`)).toBe(`301 ${termFeedPath("tags", "Ελλάδα")}`);
    expect(await location(`${GREEK}page/3/`)).toBe(`301 ${tag}`);
  });

  it("a blog in a folder: its home's pages keep their number, its category, date and author archives", async () => {
    expect(await location("/blog/")).toBe("301 /");
    expect(await location("/blog/page/2/")).toBe("301 /page/2/");
    expect(await location("/blog/page/17")).toBe("301 /page/17/");
    expect(await location("/blog/category/voyages/grece/")).toBe("301 /categories/grece/");
    expect(await location("/blog/category/voyages/grece/page/4/")).toBe("301 /categories/grece/");
    expect(await location("/blog/2011/03/05/")).toBe("301 /archives/2011/03/");
    expect(await location("/blog/2011/03/page/2/")).toBe("301 /archives/2011/03/");
    expect(await location("/blog/author/jeandupont/")).toBe("301 /archives/");
  });

  it("an old link with a double slash still matches", async () => {
    expect(await location("//blog/category/voyages/grece/")).toBe("301 /categories/grece/");
    expect(await location("/blog//2011//03/")).toBe("301 /archives/2011/03/");
    // Not an old address: the address it meant, which the static files answer (or their 404 page).
    expect(await location("/feed.xml//")).toBe("301 /feed.xml/");
  });

  it("the old search, at the root or in the blog's folder, is billet's", async () => {
    expect(await location("/?s=bonjour")).toBe("301 /search?q=bonjour");
    expect(await location("/?s=mot%20cl%C3%A9")).toBe("301 /search?q=mot+cl%C3%A9");
    expect(await location("/blog/?s=%CE%B5")).toBe("301 /search?q=%CE%B5");
    expect(await location("/?s=")).toBe("301 /search");
  });

  it("an old post number that was not imported is the 404 page, with status 404; other queries the home page", async () => {
    const res = await call("/?p=99999", { redirect: "manual" });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("<html");
    expect(await location("/index.php?page_id=4242")).toBe("404");
    expect(await location("/?utm_source=lettre")).toBe("200");
  });

  it("nothing for what the import did not write, and never over billet's own addresses", async () => {
    expect(await location("/blog/category/inconnue/")).toBe("404");
    expect(await location("/blog/2010/01/")).toBe("404");
    expect(await env.POSTS.get("redirect:/posts/a/")).toBeNull();
    expect(await env.POSTS.get("redirect:/tags/x/")).toBeNull();
  });
});
