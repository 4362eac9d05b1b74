// Input schemas: one per input. Field errors are short codes ("required", "too_long"...) that the
// API returns in `error.fields` and the page and widget turn into words.
import * as v from "valibot";

// C0 controls other than tab, line feed and carriage return, and DEL; and U+FFFE and U+FFFF, which
// are not characters (XML cannot carry them: one in a name would break the comments feed).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/;
const LINE_BREAK = /[\r\n\u2028\u2029]/;

const wellFormed = (s: string) => s.isWellFormed();
// A blank string or null (how many JSON clients write "not given") means the field was left out.
const blankToUndefined = (value: unknown) => (value === null || (typeof value === "string" && value.trim() === "") ? undefined : value);

function text(max: number, opts: { singleLine?: boolean } = {}) {
  return v.pipe(
    v.string((issue) => (issue.input == null ? "required" : "invalid")),
    v.check((s) => s.trim().length > 0, "required"),
    v.maxLength(max, "too_long"),
    v.check(wellFormed, "invalid_characters"),
    v.check((s) => !CONTROL.test(s) && !(opts.singleLine && LINE_BREAK.test(s)), "invalid_characters"),
  );
}

const optional = <T extends v.GenericSchema>(schema: T) => v.optional(v.pipe(v.unknown(), v.transform(blankToUndefined), v.optional(schema)));
// Missing keys and non-object bodies.
const objectMessage = (issue: v.BaseIssue<unknown>) => (issue.input === undefined ? "required" : "invalid");

const email = v.pipe(v.string("invalid"), v.maxLength(254, "too_long"), v.email("invalid_email"));
const websiteUrl = v.pipe(
  v.string("invalid"),
  v.maxLength(300, "too_long"),
  v.check(wellFormed, "invalid_characters"),
  v.check((s) => !CONTROL.test(s) && !/\s/.test(s), "invalid_url"),
  v.check((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === "http:" || u.protocol === "https:") && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, "invalid_url"),
);
const id = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number))], "invalid"),
  v.integer("invalid"),
  v.minValue(1, "invalid"),
);

// Built once per length (the setting), not for every comment.
/** A schema built once per length setting (building one for every comment cost more than checking it). */
function oncePerLength<S>(build: (maxContentLength: number) => S): (maxContentLength: number) => S {
  const built = new Map<number, S>();
  return (maxContentLength) => {
    let schema = built.get(maxContentLength);
    if (!schema) {
      schema = build(maxContentLength);
      built.set(maxContentLength, schema);
    }
    return schema;
  };
}

export const newCommentSchema = oncePerLength(buildNewCommentSchema);

function buildNewCommentSchema(maxContentLength: number) {
  return v.object(
    {
      author_name: text(80, { singleLine: true }),
      author_email: optional(email),
      author_url: optional(websiteUrl),
      content: text(maxContentLength),
      parent_id: optional(id),
      // Anti-spam: the honeypot field, time the reader spent on the form, a Turnstile token.
      website: v.optional(v.unknown()),
      // Only a number or a string counts; anything else is dropped (converting it could throw).
      fill_ms: v.optional(
        v.pipe(
          v.unknown(),
          v.transform((x) => (typeof x === "number" || typeof x === "string" ? x : undefined)),
        ),
      ),
      "cf-turnstile-response": v.optional(v.unknown()),
      // "Tell me of replies": a checkbox (the form sends "on") or a boolean (the widget).
      notify_replies: v.optional(
        v.pipe(
          v.unknown(),
          v.transform((x) => x === true || x === "on" || x === "true" || x === "1"),
        ),
      ),
    },
    objectMessage,
  );
}
export type NewCommentInput = v.InferOutput<ReturnType<typeof newCommentSchema>>;

/** A text to preview: exactly the check a new comment's text gets. */
export function previewSchema(maxContentLength: number) {
  return v.pick(newCommentSchema(maxContentLength), ["content"]);
}

export const editCommentSchema = oncePerLength(buildEditCommentSchema);

function buildEditCommentSchema(maxContentLength: number) {
  return v.object({ content: text(maxContentLength) }, objectMessage);
}

export const listQuerySchema = v.object({
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,4}$/, "invalid"), v.transform(Number), v.minValue(1, "invalid"), v.maxValue(200, "too_large")), "50"),
  // The `next_cursor` of the page before (workers/db/order.ts: "p" for a pinned thread, the marks when best first, an id).
  cursor: v.optional(v.pipe(v.string(), v.regex(/^p?(\d{1,9}\.)?\d{1,15}$/, "invalid"))),
  sort: v.optional(v.picklist(["oldest", "newest", "best"], "invalid"), "oldest"),
});

export const adminListQuerySchema = v.object({
  status: v.optional(v.picklist(["pending", "approved", "spam", "deleted"], "invalid"), "pending"),
  post: v.optional(v.pipe(v.string(), v.maxLength(200))),
  // "blog": comments on billet's own posts and pages; an origin of EMBED_SITES: on that site's pages.
  site: v.optional(v.pipe(v.string(), v.maxLength(200, "too_long"))),
  q: v.optional(v.pipe(v.string(), v.maxLength(200, "too_long"))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,4}$/, "invalid"), v.transform(Number), v.minValue(1, "invalid"), v.maxValue(200, "too_large")), "50"),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, "invalid"), v.transform(Number))),
});

/**
 * The most comments one bulk decision takes: a decision is one D1 batch, and with 100 comments it
 * stays under ~60 statements (status and purge in slices, the filter's delta 2,000 features a
 * statement).
 */
export const MAX_BULK_IDS = 100;

export const bulkSchema = v.object(
  {
    ids: v.pipe(v.array(id, "invalid"), v.minLength(1, "required"), v.maxLength(MAX_BULK_IDS, "too_long")),
    action: v.picklist(["approve", "spam", "delete", "pending", "purge"], "invalid"),
  },
  objectMessage,
);

export const auditQuerySchema = v.object({
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,4}$/, "invalid"), v.transform(Number), v.minValue(1, "invalid"), v.maxValue(200, "too_large")), "50"),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, "invalid"), v.transform(Number))),
});

export const emailQuerySchema = v.object({
  email: v.pipe(v.string("required"), v.trim(), v.toLowerCase(), v.maxLength(254, "too_long"), v.email("invalid_email")),
});

export const blockSchema = v.object(
  {
    kind: v.picklist(["email", "network", "host"], "invalid"),
    value: v.optional(v.pipe(v.string("invalid"), v.trim(), v.minLength(1, "required"), v.maxLength(300, "too_long"))),
    comment_id: v.optional(id),
    // No days: for good.
    days: v.optional(v.pipe(v.number("invalid"), v.integer("invalid"), v.minValue(1, "invalid"), v.maxValue(3650, "too_large"))),
    reason: v.optional(v.pipe(v.string("invalid"), v.maxLength(200, "too_long"))),
  },
  objectMessage,
);

export const countsQuerySchema = v.object({
  posts: v.pipe(
    v.string("required"),
    v.transform((s) => [
      ...new Set(
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ]),
    v.minLength(1, "required"),
    v.maxLength(100, "too_long"),
  ),
});

export const SLUG = /^[a-z0-9][a-z0-9-]{0,119}$/;

/** An Idempotency-Key header: what the widget sends (a UUID) and what common clients make. */
export const IDEMPOTENCY_KEY = /^[\w.:-]{1,100}$/;

/** Field → code, from valibot's issues (first issue per field wins). */
export function fieldErrors(issues: v.BaseIssue<unknown>[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path?.map((p) => String(p.key)).join(".") || "body";
    fields[key] ??= issue.message;
  }
  return fields;
}
