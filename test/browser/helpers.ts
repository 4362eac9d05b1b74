// What the browser tests share: the seed page's address, a browser per file, the form's controls
// found by their accessible names (so a missing label fails the test), and the admin API.
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page, Request } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { launch } from "./chromium.ts";
import { within } from "../time-limit.ts";

export const SLUG = "reseaux-sociaux-trois-ans-apres";
export const BASE = inject("baseUrl");
export const PAGE = `${BASE}/posts/${SLUG}/`;
export const COMMENTS_API = `${BASE}/api/posts/${SLUG}/comments`;
export const DRAFT_KEY = `billet:draft:${SLUG}`;

/** Text no other test (in any file, in any order) will post. */
export function unique(label: string): string {
  return `${label} ${randomUUID().slice(0, 8)}`;
}

/**
 * Every wait and navigation of a context within a limit derived from what a step needs (a page
 * loads or answers in about 3 s at most on an idle two-core machine), instead of Playwright's fixed 30 s.
 */
export function limitWaits<T extends BrowserContext>(context: T): T {
  context.setDefaultTimeout(within(3_000));
  context.setDefaultNavigationTimeout(within(3_000));
  return context;
}

/** One Chromium for the file; every test opens its own contexts (cookies, storage) and closes them. */
export function useBrowser(): { context(options?: BrowserContextOptions): Promise<BrowserContext> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
  });
  return {
    async context(options: BrowserContextOptions = {}) {
      const context = limitWaits(await browser!.newContext({ viewport: { width: 412, height: 900 }, locale: "fr-FR", ...options }));
      contexts.push(context);
      return context;
    },
  };
}

const errors = new WeakMap<Page, string[]>();

/** A new page on the seed post (answered 200); its script errors are kept for `scriptErrors`. */
export async function openPost(context: BrowserContext, path = ""): Promise<Page> {
  const page = await context.newPage();
  const seen: string[] = [];
  errors.set(page, seen);
  page.on("pageerror", (err) => seen.push(err.message));
  const res = await page.goto(PAGE + path);
  expect(res?.status()).toBe(200);
  return page;
}

export function scriptErrors(page: Page): string[] {
  return errors.get(page) ?? [];
}

/** The comment form's controls, by role and accessible name, as a reader (or a screen reader) finds them. */
export function form(page: Page) {
  return {
    name: page.getByRole("textbox", { name: "Nom (obligatoire)", exact: true }),
    email: page.getByRole("textbox", { name: "E-mail", exact: true }),
    url: page.getByRole("textbox", { name: "Site web", exact: true }),
    content: page.getByRole("textbox", { name: "Commentaire (obligatoire)", exact: true }),
    parent: page.locator("form.comment-form input[name=parent_id]"),
    submit: page.getByRole("button", { name: "Publier le commentaire", exact: true }),
    message: page.locator("form.comment-form .form-message"),
    replying: page.locator("form.comment-form .replying-to"),
    error: (field: string) => page.locator(`#billet-${field}-error`),
  };
}

/** The POSTs a page sends to the comments API. */
export function recordPosts(page: Page): Request[] {
  const posts: Request[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().startsWith(COMMENTS_API)) posts.push(r);
  });
  return posts;
}

/** Waits for the next answer to a comment POST. */
export function nextPostAnswer(page: Page) {
  return page.waitForResponse((r) => r.request().method() === "POST" && r.url().startsWith(COMMENTS_API));
}

/** The id of the one comment on the page whose text contains `text` (its own text, not its replies'). */
export async function commentIdWithText(page: Page, text: string): Promise<number> {
  const bodies = page.locator(".comment-body").filter({ hasText: text });
  expect(await bodies.count()).toBe(1);
  const id = await bodies.evaluate((el) => el.closest("li.comment")!.id);
  expect(id).toMatch(/^comment-\d+$/);
  return Number(id.slice("comment-".length));
}

export async function approve(id: number): Promise<void> {
  const res = await fetch(`${BASE}/api/admin/comments/${id}/approve`, { method: "POST", headers: { Authorization: `Bearer ${inject("adminToken")}` } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { comment: { id: number; status: string } };
  expect(body.comment).toMatchObject({ id, status: "approved" });
}

export interface ApiComment {
  id: number;
  parent_id: number | null;
  author: { name: string; url: string | null };
  content: string;
  html: string;
  /** Readers who marked it useful. */
  reactions: number;
}

/** Every approved comment of the seed post, from the public JSON API. */
export async function publicComments(): Promise<ApiComment[]> {
  const all: ApiComment[] = [];
  let cursor: string | null = null;
  do {
    const res = await fetch(`${COMMENTS_API}?limit=200${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { comments: ApiComment[]; meta: { next_cursor: string | null } };
    all.push(...body.comments);
    cursor = body.meta.next_cursor;
  } while (cursor);
  return all;
}

/** Where the keyboard is, as "TAG id-or-text": in the document, or in embed.js's shadow root. */
export type Focused = (page: Page) => Promise<string>;

/**
 * One's own comment `li` (id `id`, text `text`): "Modifier" opens a box holding the text, Escape
 * closes it and gives the keyboard back to "Modifier", and an empty text is refused on the field.
 * The box is left open, empty, for the caller's next step.
 */
export async function checkEditBox(page: Page, li: Locator, id: number, text: string, focused: Focused) {
  const edit = li.getByRole("button", { name: "Modifier", exact: true });
  await edit.click();
  const box = li.getByRole("textbox", { name: "Commentaire", exact: true });
  expect(await box.inputValue()).toBe(text);
  expect(await focused(page)).toBe(`TEXTAREA billet-edit-${id}`);
  // Escape leaves the text as it was, and the keyboard where it was.
  await page.keyboard.press("Escape");
  expect(await box.count()).toBe(0);
  expect(await focused(page)).toBe("BUTTON Modifier");
  await edit.click();
  await box.fill("   ");
  await li.getByRole("button", { name: "Enregistrer" }).click();
  expect(await li.locator(`#billet-edit-${id}-error`).textContent()).toBe("Ce champ est obligatoire.");
  expect(await box.getAttribute("aria-invalid")).toBe("true");
  return { edit, box };
}

/** "Supprimer" asks first, the keyboard on "Oui, supprimer"; Escape steps back and nothing is deleted. */
export async function checkDeleteStepBack(page: Page, li: Locator, focused: Focused) {
  const remove = li.getByRole("button", { name: "Supprimer", exact: true });
  await remove.click();
  const confirm = li.getByRole("group", { name: "Supprimer ce commentaire ?" });
  expect(await confirm.textContent()).toContain("Supprimer ce commentaire ?");
  expect(await focused(page)).toBe("BUTTON Oui, supprimer");
  await page.keyboard.press("Escape");
  expect(await confirm.count()).toBe(0);
  expect(await focused(page)).toBe("BUTTON Supprimer");
  expect(await li.count()).toBe(1);
  return { remove, confirm };
}
