// Search without JavaScript: /search?q= answered from D1's full-text index of the posts and the
// approved comments, which follows every moderation in the statement that makes it.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ADMIN, approve, call, newReader, postJson, SLUG } from "./helpers.ts";
import { MAX_TERMS, parseQuery, RESULTS_PER_PAGE } from "../../workers/db/search-query.ts";
import { markedHtml } from "../../workers/render/search.ts";
import { LONE_SURROGATES, ODD_BUT_VALID, REFUSED_CONTROLS, SQL, XSS } from "../fixtures/hostile.ts";
import { within } from "../time-limit.ts";

const POST = `/posts/${SLUG}/`;

function searchFor(q: string, extra = "", headers: Record<string, string> = newReader()): Promise<Response> {
  return call(`/search?q=${encodeURIComponent(q)}${extra}`, { headers });
}

/** The links of the results, in order. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/<li class="search-hit[^"]*"><h2><a href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, "&"));
}

/** The results' links, without the page of comments (the seed post's threads grow with the tests). */
async function found(q: string): Promise<string[]> {
  const res = await searchFor(q);
  expect(res.status).toBe(200);
  return hrefs(await res.text()).map((href) => href.replace(/\?page=\d+#/, "#"));
}

/** A word no other test or fixture holds. */
const uniqueWord = () =>
  `zq${crypto
    .randomUUID()
    .replace(/[^a-f]/g, "")
    .slice(0, 12)}`;

async function newComment(content: string, extra: Record<string, unknown> = {}): Promise<{ id: number; token: string }> {
  const res = await postJson(`/api/posts/${SLUG}/comments`, { author_name: "Lectrice", content, ...extra });
  expect([201, 202]).toContain(res.status);
  const body = (await res.json()) as { comment: { id: number }; edit_token: string };
  return { id: body.comment.id, token: body.edit_token };
}

async function moderate(id: number, action: string): Promise<void> {
  const res = await call(`/api/admin/comments/${id}/${action}`, { method: "POST", headers: ADMIN });
  expect(res.status).toBe(200);
}

async function bulk(ids: number[], action: string): Promise<void> {
  const res = await call("/api/admin/comments/bulk", {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify({ ids, action }),
  });
  expect(res.status).toBe(200);
}

const commentLink = (id: number) => `${POST}#comment-${id}`;

describe("the search page", () => {
  it("finds the seed post typed without accents or capitals, its words marked, as a page that needs no script", async () => {
    const res = await searchFor("RESEAUX sociaux");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("X-Robots-Tag")).toBe("noindex");
    expect(res.headers.get("Server-Timing")).toMatch(/^sql;dur=[\d.]+, d1;desc="1 round trip";dur=[\d.]+$/);
    const html = await res.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<meta name="robots" content="noindex">');
    expect(html).toContain("<title>Recherche : RESEAUX sociaux · ");
    expect(html).toContain('<input id="search-q" type="search" name="q" value="RESEAUX sociaux"');
    // The seed's comments speak of networks too: the post, with its title's words, ranks first.
    expect(hrefs(html)[0]).toBe(POST);
    expect(html).toContain("<mark>Réseaux</mark> <mark>sociaux</mark>, trois ans après");
    expect(html).toMatch(/<p class="search-count" role="status">\d+ résultats?\.<\/p>/);
  });

  it("finds by the start of a word, and by an exact phrase only in its order", async () => {
    expect(await found("réseaut*")).toContain(POST);
    expect(await found("FAUCOMP*")).toContain(POST);
    expect(await found('"trois ans de réseautage"')).toContain(POST);
    expect(await found('"réseautage de ans trois"')).not.toContain(POST);
    // Without the star, a word is whole.
    expect(await found("réseaut")).not.toContain(POST);
  });

  it("finds the post by its tags and summary", async () => {
    expect(await found("viadeo")).toContain(POST);
    expect(await found("rencontres données")).toContain(POST);
  });

  it("without words, shows the form and says what to type (200)", async () => {
    for (const q of ["", "   ", "***", '"" - ^ :', "«»"]) {
      const res = await searchFor(q);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(hrefs(html)).toEqual([]);
      expect(html).toContain('class="search-notice"');
    }
    const bare = await call("/search");
    expect(bare.status).toBe(200);
    expect(await bare.text()).toContain("Tapez un ou plusieurs mots");
  });

  it("sends /search/ to /search with its query", async () => {
    const res = await call("/search/?q=a%20b", { redirect: "manual" });
    expect(res.status).toBe(301);
    expect(res.headers.get("Location")).toBe("https://billet.test/search?q=a%20b");
  });
});

describe("comments in the search", () => {
  it("finds a word only an approved comment holds, and links to the comment on its page", async () => {
    const word = uniqueWord();
    const { id } = await newComment(`Un mot rare : ${word}, et c’est tout.`);
    await approve(id);
    const res = await searchFor(word.toUpperCase());
    const html = await res.text();
    expect(hrefs(html).map((h) => h.replace(/\?page=\d+#/, "#"))).toEqual([commentLink(id)]);
    expect(html).toContain(`Un mot rare : <mark>${word}</mark>, et c’est tout.`);
    expect(html).toContain("Réaction de Lectrice à « Réseaux sociaux, trois ans après »");
  });

  it("follows every moderation at once: held, spam, deleted, purged → never found; approved again → found", async () => {
    const word = uniqueWord();
    const { id } = await newComment(`Vérifier ${word} partout`);
    expect(await found(word)).toEqual([]);
    await approve(id);
    expect(await found(word)).toEqual([commentLink(id)]);
    for (const action of ["spam", "pending", "delete"]) {
      await moderate(id, action);
      expect(await found(word)).toEqual([]);
      await approve(id);
      // Approving twice changes nothing (still exactly one result).
      await approve(id);
      expect(await found(word)).toEqual([commentLink(id)]);
    }
    const purged = await call(`/api/admin/comments/${id}?purge=1`, { method: "DELETE", headers: ADMIN });
    expect(purged.ok).toBe(true);
    expect(await found(word)).toEqual([]);
  });

  it("follows bulk moderation of many comments", { timeout: within(1_000) }, async () => {
    const word = uniqueWord();
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push((await newComment(`${word} numéro ${i} ${crypto.randomUUID()}`)).id);
    await bulk(ids, "approve");
    const res = await searchFor(word);
    expect(await res.text()).toContain(`${ids.length} résultats.`);
    await bulk(ids.slice(0, 7), "spam");
    const left = await searchFor(word);
    expect(await left.text()).toContain("5 résultats.");
    await bulk(ids, "purge");
    expect(await found(word)).toEqual([]);
  });

  it("forgets an erased commenter's comments", async () => {
    const word = uniqueWord();
    const email = `${word}@example.org`;
    const { id } = await newComment(`Mes mots ${word}`, { author_email: email });
    await approve(id);
    expect(await found(word)).toEqual([commentLink(id)]);
    const erased = await call(`/api/admin/commenters?email=${encodeURIComponent(email)}`, { method: "DELETE", headers: ADMIN });
    expect(erased.status).toBe(200);
    expect(await found(word)).toEqual([]);
  });

  it("finds an edited comment by its new words, no longer by its old ones", async () => {
    const before = uniqueWord();
    const after = uniqueWord();
    const { id, token } = await newComment(`Avant ${before}`);
    await approve(id);
    expect(await found(before)).toEqual([commentLink(id)]);
    const res = await call(`/api/comments/${id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-Edit-Token": token, ...newReader() },
      body: JSON.stringify({ content: `Après ${after}` }),
    });
    expect(res.status).toBe(200);
    // An edit may be held again (first-comment moderation): it is then found once approved.
    if (((await res.json()) as { status: string }).status === "pending") {
      expect(await found(after)).toEqual([]);
      await approve(id);
    }
    expect(await found(before)).toEqual([]);
    expect(await found(after)).toEqual([commentLink(id)]);
  });

  it("links a comment of a later page of threads to that page", { timeout: within(1_000) }, async () => {
    const word = uniqueWord();
    // COMMENTS_PER_PAGE is 50: 55 threads put the last ones on page 2.
    const ids: number[] = [];
    for (let i = 0; i < 55; i++) ids.push((await newComment(`Fil ${i} ${i === 54 ? word : ""} ${crypto.randomUUID()}`)).id);
    await bulk(ids, "approve");
    const [link] = hrefs(await (await searchFor(word)).text());
    expect(link).toMatch(new RegExp(`^${POST}\\?page=\\d+#comment-${ids[54]}$`));
    const page = Number(/page=(\d+)/.exec(link)![1]);
    expect(page).toBeGreaterThanOrEqual(2);
    const target = await (await call(link.split("#")[0])).text();
    expect(target).toContain(`id="comment-${ids[54]}"`);
  });

  it("pages the results, best first, each result once", { timeout: within(1_000) }, async () => {
    const word = uniqueWord();
    const ids: number[] = [];
    for (let i = 0; i < 23; i++) ids.push((await newComment(`${word} ${i % 3 === 0 ? word : ""} ${crypto.randomUUID()}`)).id);
    await bulk(ids, "approve");
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await searchFor(word, `&page=${page}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      const links = hrefs(html);
      expect(links.length).toBe(page < 3 ? RESULTS_PER_PAGE : 3);
      seen.push(...links.map((h) => h.replace(/\?page=\d+#/, "#")));
      if (page < 3) expect(html).toContain(`&amp;page=${page + 1}" rel="next"`);
      else expect(html).not.toContain('rel="next"');
    }
    expect(new Set(seen).size).toBe(23);
    expect(seen.sort()).toEqual(ids.map(commentLink).sort());
    // Past the last page: nothing, still a page.
    const past = await searchFor(word, "&page=9");
    expect(past.status).toBe(200);
    expect(hrefs(await past.text())).toEqual([]);
  });

  it("for any posts and moderation decisions, finds exactly the approved comments holding a word", { timeout: within(1_500) }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ hasWord: fc.boolean(), decisions: fc.array(fc.constantFrom("approve", "spam", "pending", "delete", "purge"), { maxLength: 4 }) }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.boolean(),
        async (comments, viaBulk) => {
          const word = uniqueWord();
          const status = new Map<number, string>();
          const holding = new Set<number>();
          for (const c of comments) {
            const { id } = await newComment(`${c.hasWord ? word : "rien"} ${crypto.randomUUID()}`);
            status.set(id, "pending");
            if (c.hasWord) holding.add(id);
            for (const d of c.decisions) {
              if (status.get(id) === "purged") break;
              if (d === "purge") {
                const res = await call(`/api/admin/comments/${id}?purge=1`, { method: "DELETE", headers: ADMIN });
                expect(res.ok).toBe(true);
              } else if (viaBulk) await bulk([id], d);
              else await moderate(id, d);
              status.set(id, d === "approve" ? "approved" : d === "purge" ? "purged" : d);
            }
          }
          const expected = [...holding].filter((id) => status.get(id) === "approved").map(commentLink);
          expect((await found(word)).sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe("hostile searches", () => {
  const hostile = [
    '"',
    '"""',
    "*",
    "**réseaux",
    "NEAR(réseaux sociaux, 2)",
    "réseaux NOT sociaux",
    "-réseaux",
    "^réseaux",
    "title:réseaux",
    "{title body}: réseaux",
    "réseaux OR 1=1",
    "'; DROP TABLE comments; --",
    "') UNION SELECT author_email FROM comments --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "\uE000réseaux\uE001",
    "a".repeat(5000),
    Array.from({ length: 100 }, (_, i) => `mot${i}`).join(" "),
    '"réseaux sociaux',
    'réseaux "sociaux" "',
    "réseaux\u0000sociaux",
    "(réseaux",
    "réseaux)",
    "AND",
    "NOT",
    "+",
    "$& $' $` $1",
  ];

  it("never fail, and are shown back inert", { timeout: within(1_000) }, async () => {
    for (const q of hostile) {
      const res = await searchFor(q);
      expect([200, 400], q).toContain(res.status);
      const html = await res.text();
      expect(html).not.toContain("<script>alert");
      expect(html).not.toContain("<img src=x");
      // The marks are balanced whatever was typed.
      expect((html.match(/<mark>/g) ?? []).length, q).toBe((html.match(/<\/mark>/g) ?? []).length);
    }
    // Bytes that are not UTF-8 (a lone surrogate's encoding, a stray byte).
    for (const raw of ["%ED%A0%80r%C3%A9seaux", "%FF%FE", "%C3", "%"]) {
      const res = await call(`/search?q=${raw}`, { headers: newReader() });
      expect([200, 400], raw).toContain(res.status);
    }
    // The database is still whole.
    expect(await found("réseaux")).toContain(POST);
  });

  it("the project's hostile strings (markup, SQL, controls, lone surrogates, odd text): never a failure, shown only escaped", {
    timeout: within(3_000),
  }, async () => {
    for (const q of [...XSS, ...SQL, ...REFUSED_CONTROLS, ...LONE_SURROGATES, ...ODD_BUT_VALID]) {
      // URLSearchParams encodes a lone surrogate as U+FFFD, as a browser does.
      const res = await call(`/search?${new URLSearchParams({ q })}`, { headers: newReader() });
      expect([200, 400], q).toContain(res.status);
      const html = await res.text();
      if (/[<>"'&]/.test(q)) expect(html.includes(q), q).toBe(false);
      expect((html.match(/<mark>/g) ?? []).length, q).toBe((html.match(/<\/mark>/g) ?? []).length);
    }
  });

  it("shows the reader's words back exactly, in the title too, whatever they hold", async () => {
    const q = "$& $' $` <b>&amp; réseaux";
    const html = await (await searchFor(q)).text();
    expect(html).toContain("<title>Recherche : $&amp; $&#39; $` &lt;b&gt;&amp;amp; réseaux · ");
    expect(html).toContain('value="$&amp; $&#39; $` &lt;b&gt;&amp;amp; réseaux"');
  });

  it("a comment holding HTML and the marks is found and shown as text", async () => {
    const word = uniqueWord();
    const { id } = await newComment(`<script>alert("${word}")</script> \uE001 fin \uE000`);
    await approve(id);
    expect(await found(word)).toEqual([commentLink(id)]);
    const html = await (await searchFor(word)).text();
    expect(html).toContain(`&lt;script&gt;alert(&quot;<mark>${word}</mark>&quot;)&lt;/script&gt;`);
    expect((html.match(/<mark>/g) ?? []).length).toBe((html.match(/<\/mark>/g) ?? []).length);
  });

  it("asks for a page that is not one → 400, the form still there", async () => {
    for (const page of ["0", "-1", "abc", "99999", "51", "1e3"]) {
      const res = await searchFor("réseaux", `&page=${page}`);
      expect(res.status, page).toBe(400);
      expect(await res.text()).toContain('<form class="search-form"');
    }
  });

  it("too many searches from one client → 429 with Retry-After, others still served", { timeout: within(1_000) }, async () => {
    const reader = newReader();
    let limited: Response | null = null;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await searchFor(`réseaux ${i}`, "", reader);
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited).not.toBeNull();
    expect(limited!.headers.get("Retry-After")).toBe("10");
    expect(await limited!.text()).toContain("Trop de recherches");
    expect((await searchFor("réseaux")).status).toBe(200);
  });
});

/** How many quoted strings (each maybe with a *) joined by AND the expression is; -1 when it is anything else. */
function quotedStrings(match: string): number {
  if (match === "") return 0;
  let i = 0;
  for (let n = 1; ; n++) {
    if (match[i++] !== '"') return -1;
    for (;;) {
      if (i >= match.length) return -1;
      if (match[i] === '"' && match[i + 1] === '"') i += 2;
      else if (match[i++] === '"') break;
    }
    if (match[i] === "*") i++;
    if (i === match.length) return n;
    if (!match.startsWith(" AND ", i)) return -1;
    i += 5;
  }
}

describe("the query parser", () => {
  it("quotes every term, keeps phrases and prefixes, joins them with AND", () => {
    expect(parseQuery('réseaux "trois ans" soci* x*').match).toBe('"réseaux" AND "trois ans" AND "soci"* AND "x"');
    expect(parseQuery('say "hi').match).toBe('"say" AND "hi"');
    expect(parseQuery('a"b').match).toBe('"a" AND "b"');
    expect(parseQuery("NEAR(a b)").match).toBe('"NEAR(a" AND "b)"');
    expect(parseQuery("").match).toBe("");
  });

  it("bounds length and terms, whatever is typed", () => {
    fc.assert(
      fc.property(
        // The characters that could matter to FTS5, to the parser or to the page, in any order.
        fc.string({
          unit: fc.constantFrom('"', "*", " ", "a", "é", "Ж", "1", "(", ")", "-", "^", ":", "+", "\uD800", "\uDC00", "\u0000", "\n", "\uE000"),
          maxLength: 400,
        }),
        (raw) => {
          const parsed = parseQuery(raw);
          expect(parsed.terms.length).toBeLessThanOrEqual(MAX_TERMS);
          // Every quote inside a term is doubled: the expression is a list of quoted strings.
          expect(quotedStrings(parsed.match)).toBe(parsed.terms.length);
          expect(parsed.match.isWellFormed()).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("marks are always balanced, and the text escaped", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "<", "&", '"', "\uE000", "\uE001", " ") }), (text) => {
        const html = markedHtml(text);
        expect(html).not.toMatch(/<(?!\/?mark>)/);
        let depth = 0;
        for (const m of html.matchAll(/<(\/?)mark>/g)) {
          depth += m[1] ? -1 : 1;
          expect(depth === 0 || depth === 1).toBe(true);
        }
        expect(depth).toBe(0);
      }),
    );
  });
});

describe("the index itself", () => {
  it("holds only approved comments, whatever wrote the rows", async () => {
    const word = uniqueWord();
    // Written by hand, as a console or an import would.
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO comments (post_slug, author_name, content, html, status, created_at, updated_at) VALUES (?, 'Console', ?, '', 'approved', 1, 1), (?, 'Console', ?, '', 'spam', 1, 1)",
      ).bind(SLUG, `${word} approuvé`, SLUG, `${word} indésirable`),
    ]);
    expect((await found(word)).length).toBe(1);
    await env.DB.prepare("UPDATE comments SET status = 'approved' WHERE content LIKE ?").bind(`${word}%`).run();
    expect((await found(word)).length).toBe(2);
    await env.DB.prepare("DELETE FROM comments WHERE content LIKE ?").bind(`${word}%`).run();
    expect(await found(word)).toEqual([]);
    // FTS5's own check: the index matches the rows it was given.
    await env.DB.prepare("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 0)").run();
  });
});
