// The moderation page's decisions and words (widget/admin/logic.ts, strings.ts), and the page the
// build writes from them (scripts/admin-page.ts), without a browser.
import { describe, expect, it } from "vitest";
import { adminPage } from "../../scripts/admin-page.ts";
import type { Post, Site } from "../../scripts/content.ts";
import { robots } from "../../scripts/templates.ts";
import {
  actionRequest,
  actionsFor,
  actorWords,
  ApiFailure,
  auditActionWords,
  chunks,
  commentLink,
  failureWords,
  featureWords,
  heldForWords,
  listPath,
  safeWebsite,
  statusAfter,
  statusFromHash,
  STATUSES,
} from "../../widget/admin/logic.ts";
import { adminStrings, type Action } from "../../widget/admin/strings.ts";

const fr = adminStrings("fr");
const en = adminStrings("en-GB");

describe("what each state offers", () => {
  it("never offers the action that leaves a comment where it is, and purges only spam and the bin", () => {
    for (const status of STATUSES) {
      const actions = actionsFor(status);
      expect(actions.map(statusAfter)).not.toContain(status);
      expect(actions.includes("purge")).toBe(status === "spam" || status === "deleted");
    }
    expect(actionsFor("pending")).toEqual(["approve", "spam", "delete"]);
    expect(actionsFor("approved")).toEqual(["pending", "spam", "delete"]);
    expect(actionsFor("spam")).toEqual(["approve", "pending", "delete", "purge"]);
    expect(actionsFor("deleted")).toEqual(["approve", "pending", "purge"]);
  });

  it("reads the tab from the address, pending when it names none", () => {
    expect(statusFromHash("#spam")).toBe("spam");
    expect(statusFromHash("deleted")).toBe("deleted");
    expect(statusFromHash("")).toBe("pending");
    expect(statusFromHash("#__proto__")).toBe("pending");
  });
});

describe("requests", () => {
  it("sends each action where the admin API takes it", () => {
    expect(actionRequest(42, "approve")).toEqual({ method: "POST", path: "/api/admin/comments/42/approve" });
    expect(actionRequest(42, "spam")).toEqual({ method: "POST", path: "/api/admin/comments/42/spam" });
    expect(actionRequest(42, "pending")).toEqual({ method: "POST", path: "/api/admin/comments/42/pending" });
    expect(actionRequest(42, "delete")).toEqual({ method: "DELETE", path: "/api/admin/comments/42" });
    expect(actionRequest(42, "purge")).toEqual({ method: "DELETE", path: "/api/admin/comments/42?purge=1" });
  });

  it("lists a tab, a post and a page", () => {
    expect(listPath("pending", "", null)).toBe("/api/admin/comments?status=pending&limit=50");
    expect(listPath("spam", "un billet", "17")).toBe("/api/admin/comments?status=spam&limit=50&post=un+billet&cursor=17");
    expect(listPath("approved", "", null, 50, "", "https://amie.example")).toBe("/api/admin/comments?status=approved&limit=50&site=https%3A%2F%2Famie.example");
    expect(listPath("pending", "", null, 50, "", "blog")).toBe("/api/admin/comments?status=pending&limit=50&site=blog");
  });

  it("cuts a large selection into what the bulk endpoint takes", () => {
    const ids = Array.from({ length: 1201 }, (_, i) => i + 1);
    const parts = chunks(ids);
    expect(parts.map((p) => p.length)).toEqual([...Array(12).fill(100), 1]);
    expect(parts.flat()).toEqual(ids);
    expect(chunks([])).toEqual([]);
  });

  it("links a comment on its post, whatever the slug holds", () => {
    expect(commentLink("reseaux-sociaux", 7)).toBe("/posts/reseaux-sociaux/#comment-7");
    expect(commentLink("a/../b?x", 7)).toBe("/posts/a%2F..%2Fb%3Fx/#comment-7");
  });

  it("makes links only of http and https websites", () => {
    expect(safeWebsite("https://example.org/blog")).toBe("https://example.org/blog");
    expect(safeWebsite("http://example.org")).toBe("http://example.org/");
    expect(safeWebsite("javascript:alert(1)")).toBeNull();
    expect(safeWebsite("data:text/html,<b>x</b>")).toBeNull();
    expect(safeWebsite("not a url")).toBeNull();
    expect(safeWebsite(null)).toBeNull();
  });
});

describe("words", () => {
  it("says who acted and what was done in the log in words, never as a code", () => {
    expect(["token", "link", "email-reply", "sign-in", "access:auteur@example.org", "robot"].map((a) => actorWords(a, fr))).toEqual([
      "jeton d’administration",
      "lien d’un e-mail",
      "réponse par e-mail",
      "connexion refusée",
      "auteur@example.org",
      "inconnu",
    ]);
    expect(actorWords("email-reply", en)).toBe("email reply");
    expect(["export-commenter", "sign-in-failed", "erase-commenter", "something-new"].map((a) => auditActionWords(a, fr))).toEqual([
      "Données d’un commentateur exportées",
      "Connexion refusée (mauvais jeton)",
      "Données d’un commentateur effacées",
      "inconnu",
    ]);
  });

  it("says why a comment was held, in French and English, and shows unknown reasons as they are", () => {
    expect(heldForWords("first_comment", fr)).toBe("premier commentaire de cette personne");
    expect(heldForWords("too_many_links", en)).toBe("too many links");
    expect(heldForWords("word:casino", fr)).toBe("contient « casino »");
    expect(heldForWords("word:casino", en)).toBe("contains “casino”");
    expect(heldForWords("new_reason", fr)).toBe("new_reason");
    expect(heldForWords(null, fr)).toBeNull();
    for (const code of ["first_comment", "too_many_links", "honeypot", "filled_too_fast", "akismet", "akismet_unavailable", "moderation_all"]) {
      expect(heldForWords(code, fr)).not.toBe(code);
      expect(heldForWords(code, en)).not.toBe(code);
    }
  });

  it("names the filter's clues on a short text's shape in words, in French and English", () => {
    expect(featureWords("caps:free", fr)).toBe("« FREE » en capitales");
    expect(featureWords("caps:free", en)).toBe("“FREE” in capitals");
    expect(featureWords("punctuation:!", fr)).toBe("point d’exclamation");
    expect(featureWords("punctuation:run", en)).toBe("repeated punctuation (!!, ??)");
    // Malformed ones are shown as they are.
    expect(featureWords("caps:", en)).toBe("caps:");
    expect(featureWords("punctuation:?", en)).toBe("punctuation:?");
    // The word "exclamation" is a word.
    expect(featureWords("exclamation", en)).toBe("exclamation");
    // A word named like one of the filter's own features is shown as the word.
    expect(featureWords("word:phone", fr)).toBe("phone");
    expect(featureWords("path:user", fr)).toBe("lien vers …/user");
    expect(featureWords("path:user", en)).toBe("link to …/user");
  });

  it("says what an action did, agreeing in number", () => {
    const label = fr.label(12, "Alice");
    expect(fr.doneOne("approve", label)).toBe("Commentaire 12 de Alice approuvé.");
    expect(fr.doneMany("spam", 1)).toBe("1 commentaire classé indésirable.");
    expect(fr.doneMany("spam", 3)).toBe("3 commentaires classés indésirables.");
    expect(fr.doneMany("purge", 2)).toBe("2 commentaires supprimés définitivement.");
    expect(en.doneOne("pending", en.label(12, "Alice"))).toBe("Comment 12 by Alice put back in the queue.");
    expect(en.doneMany("delete", 2)).toBe("2 comments deleted.");
    expect(fr.selected(0)).toBe("0 sélectionné");
    expect(fr.selected(2)).toBe("2 sélectionnés");
    for (const action of ["approve", "spam", "delete", "pending", "purge"] as Action[]) {
      expect(fr.actions[action]).toBeTruthy();
      expect(en.actions[action]).toBeTruthy();
    }
  });

  it("turns failures into words, never the server's English message", () => {
    expect(failureWords(new ApiFailure(0, "network", "x"), fr)).toBe(fr.errors.network);
    expect(failureWords(new TypeError("Failed to fetch"), fr)).toBe(fr.errors.network);
    expect(failureWords(new ApiFailure(503, "storage_unavailable", "Storage is unavailable."), fr)).toBe(fr.errors.storage);
    expect(failureWords(new ApiFailure(404, "comment_not_found", "There is no such comment."), en)).toBe(en.errors.notFound);
    expect(failureWords(new ApiFailure(403, "forbidden", "Requests from this origin are not allowed."), fr)).toBe(fr.errors.forbidden);
    expect(failureWords(new ApiFailure(500, "internal", "Boom"), fr)).toBe("Erreur inattendue (internal) ; réessayez.");
  });
});

describe("the page the build writes", () => {
  const site: Site = {
    title: "Le blog <d’Arnaud>",
    description: "",
    author: "Arnaud",
    url: "https://billet.example.com",
    lang: "fr",
    timezone: "Europe/Paris",
  };
  const post = (slug: string, title: string, date: string) => ({ slug, title, date }) as Post;

  it("is in the site's language, out of search engines, and runs no inline script or style", () => {
    const html = adminPage(site, [post("a", "Premier <billet>", "2008-03-17T00:00:00Z")]);
    expect(html).toContain('<html lang="fr" data-timezone="Europe/Paris">');
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(html).toContain("<title>Modération · Le blog &lt;d’Arnaud&gt;</title>");
    expect(html).toContain('<script src="/admin.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="/admin.css">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<input id="token" name="token" type="password"');
    expect(html).toContain('role="alert"');
    expect(html).toContain('aria-live="polite"');
    // One post: no filter to choose from.
    expect(html).toMatch(/<p class="filter" hidden>/);
    expect(adminPage({ ...site, lang: "en" }, [])).toContain("<h1>Comment moderation</h1>");
  });

  it("offers a filter by post, newest first, when there are several", () => {
    const html = adminPage(site, [post("old", "Ancien", "2008-01-01T00:00:00Z"), post("new", "Nouveau <b>", "2009-01-01T00:00:00Z")]);
    expect(html).toMatch(/<p class="filter">/);
    expect(html).toContain('<option value="">Tous les billets</option><option value="new">Nouveau &lt;b&gt;</option><option value="old">Ancien</option>');
  });

  it("keeps robots away from it", () => {
    expect(robots(site).split("\n")).toContain("Disallow: /admin/");
  });
});
