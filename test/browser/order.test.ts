// Issue 14's checks of order in Chromium: each order's link with and without JavaScript across two
// pages, the oldest-first numbers kept, the order the widget remembers, "Useful" from two readers
// and twice from one (in place, and through the plain form back to the comment), and a pinned thread
// first in every order. The threads added here are deleted after, so the other files see the seed.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { BASE, COMMENTS_API, openPost, PAGE, publicComments, scriptErrors, useBrowser } from "./helpers.ts";
import { within } from "../time-limit.ts";

const browser = useBrowser();
const ADMIN = { Authorization: `Bearer ${inject("adminToken")}`, "Content-Type": "application/json" };
/** wrangler.toml's COMMENTS_PER_PAGE, which the test server keeps. */
const PER_PAGE = 50;
const SORTS = ["oldest", "newest", "best"] as const;
type Sort = (typeof SORTS)[number];
const LABEL: Record<Sort, string> = { oldest: "Les plus anciennes", newest: "Les plus récentes", best: "Les plus utiles" };

/** The threads in an order, as the issue says: pinned first; oldest, newest, or best (marks, then size, then age). */
async function expectedOrder(sort: Sort, pinned: number | null): Promise<{ order: number[]; numbers: Map<number, number> }> {
  const comments = await publicComments();
  const parent = new Map(comments.map((c) => [c.id, c.parent_id]));
  const rootOf = (id: number): number => {
    const p = parent.get(id);
    return p === null || p === undefined ? id : rootOf(p);
  };
  const threads = new Map<number, { marks: number; size: number }>();
  for (const c of comments) {
    const t = threads.get(rootOf(c.id)) ?? { marks: 0, size: 0 };
    t.marks += c.reactions;
    t.size += 1;
    threads.set(rootOf(c.id), t);
  }
  const ids = [...threads.keys()];
  const numbers = new Map([...ids].sort((a, b) => a - b).map((id, i) => [id, i + 1]));
  const key = (id: number) => threads.get(id)!;
  const order = ids.sort((a, b) => {
    const pin = Number(b === pinned) - Number(a === pinned);
    if (pin) return pin;
    if (sort === "newest") return b - a;
    if (sort === "best") return key(b).marks - key(a).marks || key(b).size - key(a).size || a - b;
    return a - b;
  });
  return { order, numbers };
}

/** The top-level threads shown, in order: id, number, pinned (class and the word). */
function shownThreads(page: Page) {
  return page.locator("li.comment:not(li.comment li.comment)").evaluateAll((items) =>
    items.map((li) => ({
      id: Number(li.id.slice("comment-".length)),
      number: Number(li.querySelector(":scope > article .comment-number")?.textContent),
      pinned: li.classList.contains("comment--pinned") && li.querySelector(":scope > article .comment-pinned")?.textContent === "Épinglé",
    })),
  );
}

async function expectPage(page: Page, sort: Sort, pageNo: number, pinned: number | null): Promise<void> {
  const { order, numbers } = await expectedOrder(sort, pinned);
  const want = order.slice((pageNo - 1) * PER_PAGE, pageNo * PER_PAGE);
  const shown = await shownThreads(page);
  expect(shown.map((t) => t.id)).toEqual(want);
  expect(shown.map((t) => t.number)).toEqual(want.map((id) => numbers.get(id)));
  expect(shown.filter((t) => t.pinned).map((t) => t.id)).toEqual(pinned !== null && pageNo === 1 ? [pinned] : []);
  const url = new URL(page.url());
  expect(url.searchParams.get("sort")).toBe(sort === "oldest" ? null : sort);
  expect(url.searchParams.get("page")).toBe(pageNo === 1 ? null : String(pageNo));
  // The current order is marked among the links.
  expect(await page.locator('.comment-sort a[aria-current="true"]').getAttribute("data-sort")).toBe(sort);
}

const added: number[] = [];

/** Threads posted through the API (held: a first comment) and approved in one go. */
async function addThreads(n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(COMMENTS_API, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ author_name: `Lectrice ${i}`, content: `Fil pour l’ordre ${i} ${crypto.randomUUID()}` }),
    });
    expect(res.status).toBeLessThan(300);
    ids.push(((await res.json()) as { comment: { id: number } }).comment.id);
  }
  const res = await fetch(`${BASE}/api/admin/comments/bulk`, { method: "POST", headers: ADMIN, body: JSON.stringify({ ids, action: "approve" }) });
  expect(res.status).toBe(200);
  added.push(...ids);
  return ids;
}

async function pin(id: number, on: boolean): Promise<void> {
  const res = await fetch(`${BASE}/api/admin/comments/${id}/${on ? "pin" : "unpin"}`, { method: "POST", headers: ADMIN });
  expect(res.status).toBe(200);
}

let pinned: number | null = null;

beforeAll(async () => {
  // Enough threads for two pages, whatever the other files left.
  await addThreads(PER_PAGE + 3);
}, within(30_000));

afterAll(async () => {
  if (pinned !== null) await pin(pinned, false);
  if (added.length) await fetch(`${BASE}/api/admin/comments/bulk`, { method: "POST", headers: ADMIN, body: JSON.stringify({ ids: added, action: "delete" }) });
}, within(12_000));

/** Follows an order's link, checks both pages through the "newer" link and back. */
async function walkOrders(page: Page): Promise<void> {
  for (const sort of SORTS) {
    await Promise.all([
      page.waitForURL((u) => (sort === "oldest" ? !u.search : u.search === `?sort=${sort}`)),
      page.getByRole("link", { name: LABEL[sort], exact: true }).click(),
    ]);
    await expectPage(page, sort, 1, pinned);
    await Promise.all([page.waitForURL((u) => u.searchParams.get("page") === "2"), page.locator('.comment-pages a[rel="next"]').first().click()]);
    await expectPage(page, sort, 2, pinned);
    await Promise.all([page.waitForURL((u) => !u.searchParams.has("page")), page.locator('.comment-pages a[rel="prev"]').first().click()]);
    await expectPage(page, sort, 1, pinned);
  }
}

describe("orders in Chromium", () => {
  for (const javaScriptEnabled of [false, true]) {
    test(`each order's link, across two pages, numbers kept (JavaScript ${javaScriptEnabled ? "on" : "off"})`, { timeout: within(20_000) }, async () => {
      const page = await openPost(await browser.context({ javaScriptEnabled }));
      await expectPage(page, "oldest", 1, pinned);
      await walkOrders(page);
      expect(scriptErrors(page)).toEqual([]);
    });
  }

  test("the widget remembers the order chosen: the plain address comes back in it", { timeout: within(10_000) }, async () => {
    const context = await browser.context();
    const page = await openPost(context);
    await Promise.all([page.waitForURL((u) => u.search === "?sort=newest"), page.getByRole("link", { name: LABEL.newest, exact: true }).click()]);
    const again = await context.newPage();
    await again.goto(PAGE);
    await again.waitForURL((u) => u.search === "?sort=newest");
    await again.locator(".comment-sort").waitFor();
    await expectPage(again, "newest", 1, pinned);
    // Choosing the oldest again is remembered too: the plain address stays plain.
    await Promise.all([again.waitForURL((u) => !u.search), again.getByRole("link", { name: LABEL.oldest, exact: true }).click()]);
    const third = await context.newPage();
    await third.goto(PAGE);
    await third.locator(".comment-sort").waitFor();
    expect(new URL(third.url()).search).toBe("");
    await expectPage(third, "oldest", 1, pinned);
  });
});

/** The "Useful" button of a comment, its count and its pressed state. */
function useful(page: Page, id: number) {
  const button = page.locator(`#comment-${id} > article form.comment-useful button`);
  return {
    button,
    count: async () => Number(await button.locator(".useful-count").textContent()),
    said: () => page.locator(`#comment-${id}-useful`).textContent(),
    pressed: () => button.getAttribute("aria-pressed"),
  };
}

const reactionAnswer = (page: Page) => page.waitForResponse((r) => r.url().includes("/reaction") && r.request().method() !== "GET");

/**
 * The marks stored for a comment (the page and the list keep the count of their version): a reader
 * of its own marks it and takes the mark back, and the answer of the undo counts the others.
 */
async function storedMarks(id: number): Promise<number> {
  const url = `${BASE}/api/comments/${id}/reaction`;
  const mark = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" } });
  expect(mark.status).toBe(200);
  const cookie = mark.headers
    .getSetCookie()
    .find((c) => c.startsWith("billet_reader="))!
    .split(";")[0];
  const undo = await fetch(url, { method: "DELETE", headers: { "Content-Type": "application/json", Cookie: cookie } });
  expect(undo.status).toBe(200);
  const body = (await undo.json()) as { reactions: number; mine: boolean };
  expect(body.mine).toBe(false);
  return body.reactions;
}

describe("useful marks in Chromium", () => {
  test("two readers mark a comment, one twice (the second undoes), in place with the widget", { timeout: within(12_000) }, async () => {
    const id = added[0];
    const contexts: BrowserContext[] = [await browser.context(), await browser.context()];
    const [a, b] = await Promise.all(contexts.map((c) => openPost(c)));
    for (const p of [a, b]) await p.locator(`#comment-${id} button[aria-pressed]`).waitFor();
    expect(await useful(a, id).pressed()).toBe("false");
    const before = await useful(a, id).count();

    let answer = reactionAnswer(a);
    await useful(a, id).button.click();
    expect((await answer).status()).toBe(200);
    expect(await (await answer).json()).toEqual({ comment_id: id, reactions: before + 1, mine: true });
    await expect.poll(() => useful(a, id).pressed()).toBe("true");
    expect(await useful(a, id).count()).toBe(before + 1);
    expect(await useful(a, id).said()).toBe("1 lecteur l’a trouvée utile");

    answer = reactionAnswer(b);
    await useful(b, id).button.click();
    expect(await (await answer).json()).toEqual({ comment_id: id, reactions: before + 2, mine: true });
    await expect.poll(() => useful(b, id).pressed()).toBe("true");
    expect(await useful(b, id).count()).toBe(before + 2);
    expect(await useful(b, id).said()).toBe("2 lecteurs l’ont trouvée utile");

    // Twice from the same reader: the second undoes.
    answer = reactionAnswer(a);
    await useful(a, id).button.click();
    expect((await answer).request().method()).toBe("DELETE");
    expect(await (await answer).json()).toEqual({ comment_id: id, reactions: before + 1, mine: false });
    await expect.poll(() => useful(a, id).pressed()).toBe("false");
    expect(await useful(a, id).count()).toBe(before + 1);

    // Coming back, the reader's own mark shows pressed (kept by the widget), the other's not.
    const back = await contexts[1].newPage();
    await back.goto(PAGE);
    await expect.poll(() => useful(back, id).pressed()).toBe("true");
    const backA = await contexts[0].newPage();
    await backA.goto(PAGE);
    await expect.poll(() => useful(backA, id).pressed()).toBe("false");
    expect([...scriptErrors(a), ...scriptErrors(b)]).toEqual([]);
  });

  test("without JavaScript the form marks, undoes, and comes back to the comment in its order and page", { timeout: within(12_000) }, async () => {
    const context = await browser.context({ javaScriptEnabled: false });
    // A thread of the second page in the newest order.
    const { order } = await expectedOrder("newest", pinned);
    const id = order[PER_PAGE];
    const page = await context.newPage();
    await page.goto(`${PAGE}?page=2&sort=newest`);
    const before = await storedMarks(id);
    await Promise.all([page.waitForURL((u) => u.hash === `#comment-${id}`), useful(page, id).button.click()]);
    expect(await storedMarks(id)).toBe(before + 1);
    // Back on the same page of the same order, at the comment.
    const url = new URL(page.url());
    expect(url.searchParams.get("sort")).toBe("newest");
    expect(url.searchParams.get("page")).toBe("2");
    expect(await page.locator(`#comment-${id}`).count()).toBe(1);

    // The same button again undoes the mark.
    await Promise.all([page.waitForURL((u) => u.hash === `#comment-${id}`), useful(page, id).button.click()]);
    expect(await storedMarks(id)).toBe(before);
    expect(new URL(page.url()).searchParams.get("page")).toBe("2");
    expect(await page.locator(`#comment-${id}`).count()).toBe(1);
  });
});

describe("a pinned thread in Chromium", () => {
  test("comes first in every order on the first page, marked « Épinglé », numbered as before", { timeout: within(20_000) }, async () => {
    // A thread from the middle: first only because pinned.
    pinned = added[10];
    await pin(pinned, true);
    const page = await openPost(await browser.context({ javaScriptEnabled: false }));
    await expectPage(page, "oldest", 1, pinned);
    await walkOrders(page);
    const mark = page.locator(`#comment-${pinned} > article .comment-pinned`);
    expect(await mark.textContent()).toBe("Épinglé");
  });
});
