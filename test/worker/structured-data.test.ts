// The JSON-LD of a post page: what the page shows (its title, dates, count, and exactly the approved
// comments of that page of comments, with their parents), valid against the schema.org vocabulary,
// and inert whatever a comment says.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { parse, type DefaultTreeAdapterTypes } from "parse5";
import { describe, expect, it } from "vitest";
import { htmlToText, jsonLdScript, postGraph, postJsonLd } from "../../workers/render/jsonld.ts";
import { ADMIN, approve, call, postJson, SLUG, uniqueComment } from "./helpers.ts";
import { schemaOrgProblems, vocabularySize } from "./schema-org.ts";

type Element = DefaultTreeAdapterTypes.Element;
type Node = DefaultTreeAdapterTypes.ChildNode | DefaultTreeAdapterTypes.Document;
type Json = Record<string, unknown>;

const PAGE = `/posts/${SLUG}/`;
const SITE = "https://billet.example.com";
const POST_URL = `${SITE}${PAGE}`;

const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;
function* elements(node: Node): Generator<Element> {
  for (const child of "childNodes" in node ? node.childNodes : []) {
    if ("tagName" in child) {
      yield child;
      yield* elements(child);
    }
    if (child.nodeName === "template") continue;
  }
}
function text(node: Node): string {
  if (node.nodeName === "#text") return (node as DefaultTreeAdapterTypes.TextNode).value;
  return ("childNodes" in node ? node.childNodes : []).map((c) => text(c)).join("");
}
const hasClass = (el: Element, cls: string) => (attr(el, "class") ?? "").split(/\s+/).includes(cls);
const find = (el: Node, pred: (e: Element) => boolean) => [...elements(el)].find(pred);
const squeeze = (s: string) => s.replace(/\s+/g, "");

/** What the page shows of its approved comments: id, author, address, date, text, and the comment it hangs under. */
function shownComments(doc: DefaultTreeAdapterTypes.Document) {
  return [...elements(doc)]
    .filter((el) => el.tagName === "li" && hasClass(el, "comment") && !hasClass(el, "comment--removed") && !hasClass(el, "comment--pending"))
    .map((li) => {
      const author = find(li, (e) => hasClass(e, "comment-author"))!;
      const face = find(li, (e) => hasClass(e, "comment-avatar"));
      let up = li.parentNode as Node | null;
      while (up && !("tagName" in up && up.tagName === "li")) up = (up as Element).parentNode as Node | null;
      return {
        id: Number(attr(li, "data-id")),
        author: text(author),
        url: author.tagName === "a" ? attr(author, "href") : undefined,
        image: face ? new URL(attr(face, "src")!, "https://billet.example.com").toString() : undefined,
        date: attr(find(li, (e) => e.tagName === "time")!, "datetime"),
        text: squeeze(text(find(li, (e) => hasClass(e, "comment-body"))!)),
        parent: up ? Number(attr(up as Element, "data-id")) : null,
      };
    });
}

/** The page, parsed, and its one JSON-LD block. */
async function pageWithJsonLd(path: string): Promise<{ html: string; doc: DefaultTreeAdapterTypes.Document; graph: Json; posting: Json }> {
  const res = await call(path);
  expect(res.status).toBe(200);
  const html = await res.text();
  const doc = parse(html);
  const scripts = [...elements(doc)].filter((e) => e.tagName === "script" && attr(e, "type") === "application/ld+json");
  expect(scripts).toHaveLength(1);
  // Inside the section the Worker fills in.
  let up = scripts[0].parentNode as Element;
  while (up.tagName !== "section") up = up.parentNode as Element;
  expect(attr(up, "id")).toBe("comments");
  const graph = JSON.parse(text(scripts[0])) as Json;
  const posting = (graph["@graph"] as Json[]).find((n) => n["@type"] === "BlogPosting")!;
  return { html, doc, graph, posting };
}

/** The JSON-LD's comments and what the page shows are the same comments, said the same way. */
function expectSameComments(posting: Json, doc: DefaultTreeAdapterTypes.Document, pageUrl: string) {
  const shown = shownComments(doc);
  const told = (posting.comment as Json[] | undefined) ?? [];
  expect(told.map((c) => Number(String(c["@id"]).split("#comment-")[1]))).toEqual(shown.map((c) => c.id));
  for (const [i, c] of told.entries()) {
    const s = shown[i];
    expect(c["@id"]).toBe(`${pageUrl}#comment-${s.id}`);
    expect(c.url).toBe(c["@id"]);
    // The face the page shows is the author's image.
    expect(s.image).toMatch(/^https:\/\/billet\.example\.com\/avatars\/[0-9a-f]{20}\.svg$/);
    expect(c.author).toEqual({ "@type": "Person", name: s.author, ...(s.url ? { url: s.url } : {}), image: s.image });
    expect(c.dateCreated).toBe(s.date);
    expect(squeeze(String(c.text))).toBe(s.text);
    const parent = c.parentItem as Json | undefined;
    expect(parent ? Number(String(parent["@id"]).split("#comment-")[1]) : null).toBe(s.parent);
  }
  return { shown, told };
}

describe("the vocabulary check", () => {
  it("knows schema.org, and catches an unknown type, an unknown property and a value out of range", async () => {
    expect(vocabularySize()).toBeGreaterThan(800);
    expect(await schemaOrgProblems({ "@context": "https://schema.org", "@type": "BlogPosting", headline: "x", commentCount: 2 })).toEqual([]);
    expect(await schemaOrgProblems({ "@context": "https://schema.org", "@type": "BlogPostingz" })).toHaveLength(1);
    expect(await schemaOrgProblems({ "@context": "https://schema.org", "@type": "Comment", colour: "red" })).toHaveLength(1);
    expect(await schemaOrgProblems({ "@context": "https://schema.org", "@type": "BlogPosting", commentCount: "many" })).toHaveLength(1);
    expect(await schemaOrgProblems({ "@context": "https://schema.org", "@type": "BlogPosting", author: { "@type": "Comment" } })).toHaveLength(1);
    expect(await schemaOrgProblems({ "@context": "https://schema.org", "@type": "Comment", dateCreated: "yesterday" })).toHaveLength(1);
  });
});

describe("the JSON-LD of a post page", () => {
  it("tells the post, its breadcrumb and the seed's six comments as the page shows them, in schema.org's words", async () => {
    const { html, doc, graph, posting } = await pageWithJsonLd(PAGE);
    expect(await schemaOrgProblems(graph)).toEqual([]);
    expect(posting.headline).toBe(text(find(doc, (e) => attr(e, "id") === "post-title")!));
    const meta = find(doc, (e) => hasClass(e, "post-meta"))!;
    expect(posting.datePublished).toBe(attr(find(meta, (e) => e.tagName === "time")!, "datetime"));
    expect(posting.url).toBe(POST_URL);
    expect(posting.author).toEqual({ "@type": "Person", "@id": "https://billet.example.com/#author", name: "Arnaud" });
    expect(posting.inLanguage).toBe("fr");
    expect(posting.keywords).toContain("Facebook");
    const count = Number(attr(find(doc, (e) => hasClass(e, "comment-count"))!, "data-count"));
    expect(posting.commentCount).toBe(count);
    const { told } = expectSameComments(posting, doc, POST_URL);
    expect(told.length).toBeGreaterThanOrEqual(6);
    const breadcrumb = (graph["@graph"] as Json[]).find((n) => n["@type"] === "BreadcrumbList")!;
    expect(breadcrumb.itemListElement).toEqual([
      { "@type": "ListItem", position: 1, name: "Le blog d’Arnaud", item: `${SITE}/` },
      { "@type": "ListItem", position: 2, name: posting.headline, item: POST_URL },
    ]);
    // Never a commenter's email.
    for (const r of env.TEST_SEED_ROWS) if (r.comment.author_email) expect(html).not.toContain(r.comment.author_email);
  });

  it("keeps a commenter's email out, and takes an edit's date", async () => {
    const email = `lectrice-${crypto.randomUUID()}@example.org`;
    const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment({ author_email: email, author_url: "https://lectrice.example/" }));
    const { comment } = (await res.json()) as { comment: { id: number } };
    await approve(comment.id);
    const { html, graph, posting, doc } = await pageWithJsonLd(PAGE);
    expect(html).not.toContain(email);
    expect(JSON.stringify(graph)).not.toContain(email);
    const told = (posting.comment as Json[]).find((c) => c["@id"] === `${POST_URL}#comment-${comment.id}`)!;
    expect(told.author).toEqual({
      "@type": "Person",
      name: expect.stringMatching(/^Lectrice/),
      url: "https://lectrice.example/",
      image: expect.stringMatching(/^https:\/\/billet\.example\.com\/avatars\/[0-9a-f]{20}\.svg$/),
    });
    expectSameComments(posting, doc, POST_URL);
  });

  it("on each page of a long discussion, tells exactly that page's comments, replies with their parent, and a removed parent as an empty place", async () => {
    // 120 more threads (a reply, and a reply to it, on every third), straight into D1, in an odd
    // order of dates (as an import makes them).
    const insert = env.DB.prepare(
      "INSERT INTO comments (post_slug, parent_id, root_id, depth, author_name, author_url, content, html, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'approved', ?, ?) RETURNING id",
    );
    const base = Date.parse("2012-05-01T10:00:00Z");
    const roots: number[] = [];
    const replies = new Map<number, number[]>();
    for (let i = 0; i < 120; i++) {
      const at = base + ((i * 7919) % 120) * 3_600_000;
      const root = (await insert
        .bind(SLUG, null, null, 0, `Fil ${i}`, i % 2 ? `https://fil${i}.example/` : null, `Fil ${i}`, `<p>Fil ${i} &amp; co</p>`, at, at)
        .first<{ id: number }>())!.id;
      roots.push(root);
      if (i % 3 === 0) {
        const a = (await insert.bind(SLUG, root, root, 1, `Réponse ${i}`, null, "r", `<p>Réponse<br>${i}</p>`, at + 1, at + 1).first<{ id: number }>())!.id;
        const b = (await insert
          .bind(SLUG, a, root, 2, `Sous-réponse ${i}`, null, "s", `<blockquote><p>q</p></blockquote><p>Sous ${i}</p>`, at + 2, at + 2)
          .first<{ id: number }>())!.id;
        replies.set(root, [a, b]);
      }
    }
    // A change through the API, so this isolate reads the post's state again.
    const res = await postJson(`/api/posts/${SLUG}/comments`, uniqueComment());
    await approve(((await res.json()) as { comment: { id: number } }).comment.id);

    const one = await pageWithJsonLd(PAGE);
    const two = await pageWithJsonLd(`${PAGE}?page=2`);
    expect(await schemaOrgProblems(two.graph)).toEqual([]);
    const onOne = expectSameComments(one.posting, one.doc, POST_URL).told;
    const onTwo = expectSameComments(two.posting, two.doc, `${POST_URL}?page=2`).told;
    // Page 2's comments are its own, none of page 1's.
    const ids = (told: Json[]) => told.map((c) => String(c["@id"]).split("#")[1]);
    expect(ids(onTwo).filter((id) => ids(onOne).includes(id))).toEqual([]);
    expect(onTwo.length).toBeGreaterThan(50);
    // The count is the post's, the one each page shows.
    const total = Number(attr(find(two.doc, (e) => hasClass(e, "comment-count"))!, "data-count"));
    expect(one.posting.commentCount).toBe(total);
    expect(two.posting.commentCount).toBe(total);
    expect(total).toBeGreaterThan(120 + 40 * 2);

    // A thread of page 2 with a reply to a reply: each names its parent by its anchor on page 2.
    const onPage2 = roots.filter((r) => replies.has(r) && ids(onTwo).includes(`comment-${r}`));
    expect(onPage2.length).toBeGreaterThan(3);
    const root = onPage2[1];
    const [a, b] = replies.get(root)!;
    const byId = (told: Json[], id: number) => told.find((c) => c["@id"] === `${POST_URL}?page=2#comment-${id}`)!;
    expect(byId(onTwo, a).parentItem).toEqual({ "@id": `${POST_URL}?page=2#comment-${root}` });
    expect(byId(onTwo, b).parentItem).toEqual({ "@id": `${POST_URL}?page=2#comment-${a}` });
    expect(byId(onTwo, b).text).toBe(`q\n\nSous ${roots.indexOf(root)}`);
    expect(byId(onTwo, root).parentItem).toBeUndefined();

    // Its middle comment removed: not told, and the reply under it hangs under its empty place.
    await call(`/api/admin/comments/${a}/spam`, { method: "POST", headers: ADMIN });
    const after = await pageWithJsonLd(`${PAGE}?page=2`);
    expect(await schemaOrgProblems(after.graph)).toEqual([]);
    const told = expectSameComments(after.posting, after.doc, `${POST_URL}?page=2`).told;
    expect(told.find((c) => c["@id"] === `${POST_URL}?page=2#comment-${a}`)).toBeUndefined();
    expect(byId(told, b).parentItem).toEqual({ "@type": "Comment", "@id": `${POST_URL}?page=2#comment-${a}`, url: `${POST_URL}?page=2#comment-${a}` });
    expect(after.html).toContain(`id="comment-${a}" class="comment comment--removed"`);
    expect(after.posting.commentCount).toBe(total - 1);
  });

  it("keeps a comment's HTML, </script> and <!-- inert: one script, the text given back exactly", async () => {
    const content = `</script><script>alert("x")</script> <!-- <b>gras</b> & \u2028 </SCRIPT > ${crypto.randomUUID()}`;
    const name = "</script><img src=x onerror=alert(1)>Ève";
    // A reply to the first comment: on the first page, whatever came before.
    const res = await postJson(`/api/posts/${SLUG}/comments`, { author_name: name, content, parent_id: 1 });
    const { comment } = (await res.json()) as { comment: { id: number } };
    await approve(comment.id);
    const { html, doc, posting } = await pageWithJsonLd(PAGE);
    const raw = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(raw).not.toMatch(/[<>&\u2028]/);
    // The page's scripts are the widget and the JSON-LD, nothing a comment wrote.
    expect([...elements(doc)].filter((e) => e.tagName === "script").map((e) => attr(e, "src") ?? attr(e, "type"))).toEqual([
      "/widget.js",
      "application/ld+json",
    ]);
    expect([...elements(doc)].filter((e) => e.tagName === "img" && attr(e, "onerror"))).toEqual([]);
    const told = (posting.comment as Json[]).find((c) => c["@id"] === `${POST_URL}#comment-${comment.id}`)!;
    expect(told.text).toBe(content);
    expect((told.author as Json).name).toBe(name);
  });
});

describe("the renderer", () => {
  const site = { url: SITE, title: "Le blog" };
  const post = { title: "T", date: "2020-01-01T00:00:00.000Z", author: "A", lang: "fr", tags: [], summary: "S", url: "/posts/t/" };

  it("gives back any text exactly from its script, with no character that could end it", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string(), (s, name) => {
        const script = jsonLdScript({ s, name });
        const inner = script.slice('<script type="application/ld+json">'.length, -"</script>".length);
        const back = JSON.parse(inner) as { s: string; name: string };
        return !/[<>&\u2028\u2029]/.test(inner) && back.s === s && back.name === name;
      }),
    );
  });

  it("tells only approved comments, each reply under the comment it hangs under on the page, and fits schema.org", async () => {
    // Random threads: some comments pending (the reader's own) or removed; parents in any order.
    const threads = fc.array(
      fc.record({
        parent: fc.nat(),
        status: fc.constantFrom("approved", "approved", "pending", "removed") as fc.Arbitrary<"approved" | "pending" | "removed">,
      }),
      {
        minLength: 1,
        maxLength: 150,
      },
    );
    await fc.assert(
      fc.asyncProperty(threads, fc.integer({ min: 1, max: 5 }), async (list, page) => {
        const comments = list.map((c, i) => ({
          id: i + 1,
          parentId: i === 0 || c.parent % 3 === 0 ? null : (c.parent % i) + 1,
          authorName: `N${i}`,
          authorUrl: i % 2 ? null : `https://n${i}.example/`,
          html: `<p>t${i} &lt;x&gt;</p>`,
          createdAt: 1_600_000_000_000 + i,
          editedAt: null,
          status: c.status,
        }));
        const graph = postGraph({ site, post, comments, total: 999, page });
        const posting = (graph["@graph"] as unknown as Json[])[0];
        const told = (posting.comment as Json[] | undefined) ?? [];
        expect(told.map((c) => c.text)).toEqual(comments.filter((c) => c.status === "approved").map((c) => `t${c.id - 1} <x>`));
        const status = new Map(comments.map((c) => [c.id, c.status]));
        for (const c of told) {
          const id = Number(String(c["@id"]).split("#comment-")[1]);
          const parentId = comments[id - 1].parentId;
          const parent = c.parentItem as Json | undefined;
          if (parentId === null) expect(parent).toBeUndefined();
          else {
            expect(parent?.["@id"]).toBe(`${SITE}/posts/t/${page > 1 ? `?page=${page}` : ""}#comment-${parentId}`);
            expect(parent?.["@type"]).toBe(status.get(parentId) === "approved" ? undefined : "Comment");
          }
        }
        expect(await schemaOrgProblems(graph)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it("writes the same JSON-LD from the comments it keeps as from scratch, through edits, removals and pages", () => {
    // Random renders of one post: comments edited (same id, new text or date), removed, moved to another page.
    const render = fc.record({
      page: fc.integer({ min: 1, max: 3 }),
      comments: fc.uniqueArray(
        fc.record({
          id: fc.integer({ min: 1, max: 40 }),
          parent: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
          text: fc.constantFrom("a", "b &amp; <c>", "</script>"),
          edited: fc.option(fc.constantFrom(1, 2), { nil: null }),
          name: fc.constantFrom("N", "M"),
          status: fc.constantFrom("approved", "approved", "removed") as fc.Arbitrary<"approved" | "removed">,
        }),
        { selector: (c) => c.id, maxLength: 40 },
      ),
    });
    fc.assert(
      fc.property(fc.array(render, { minLength: 1, maxLength: 8 }), (renders) => {
        for (const r of renders) {
          const comments = r.comments.map((c) => ({
            id: c.id,
            parentId: c.parent !== null && c.parent < c.id ? c.parent : null,
            authorName: c.name,
            authorUrl: null,
            html: `<p>${c.text}</p>`,
            createdAt: 1_600_000_000_000 + c.id,
            editedAt: c.edited,
            status: c.status,
          }));
          const input = { site, post, comments, total: comments.length, page: r.page };
          if (postJsonLd(input) !== jsonLdScript(postGraph(input))) return false;
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it("tells a page that takes comments as a WebPage", async () => {
    const graph = postGraph({ site, post: { ...post, url: "/a-propos/" }, comments: [], total: 0, page: 1 });
    expect((graph["@graph"] as unknown as Json[])[0]["@type"]).toBe("WebPage");
    expect(await schemaOrgProblems(graph)).toEqual([]);
  });

  it("makes plain text of a comment's HTML", () => {
    expect(htmlToText('<p>Un <a href="https://x.example/" rel="nofollow">lien</a> &amp; <code>&lt;b&gt;</code></p>\n<p>fin<br>\nligne</p>')).toBe(
      "Un lien & <b>\n\nfin\nligne",
    );
  });
});
