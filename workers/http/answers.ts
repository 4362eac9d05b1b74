// JSON answers, the one error shape, and the headers every answer carries.
import site from "../../content/site.json";
import { contentSecurityPolicy, cspHostsOf, type CspSite } from "./csp.ts";

export type ErrorCode =
  | "bad_request"
  | "invalid_json"
  | "invalid_encoding"
  | "validation_failed"
  | "post_not_found"
  | "comment_not_found"
  | "not_found"
  | "comments_closed"
  | "edit_window_passed"
  | "forbidden"
  | "unauthorized"
  | "duplicate_comment"
  | "payload_too_large"
  | "unsupported_media_type"
  | "method_not_allowed"
  | "rate_limited"
  | "storage_unavailable"
  | "service_unavailable"
  | "not_configured"
  | "link_used"
  | "internal_error";

/** An error meant for the client: its code, message and fields are safe to show. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly fields?: Record<string, string>;
  readonly headers?: Record<string, string>;

  constructor(status: number, code: ErrorCode, message: string, fields?: Record<string, string>, headers?: Record<string, string>) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.headers = headers;
  }
}

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const res = new Response(JSON.stringify(body), { status, headers });
  res.headers.set("Content-Type", "application/json; charset=utf-8");
  return res;
}

export function errorResponse(err: ApiError): Response {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.fields) error.fields = err.fields;
  return json({ error }, err.status, { "Cache-Control": "no-store", ...err.headers });
}

/**
 * Turns anything thrown into an answer. Known errors keep their status; a storage failure is a
 * 503; anything else is logged and answered with a bare 500 that says nothing of the internals.
 */
export function toErrorResponse(err: unknown): Response {
  if (err instanceof ApiError) return errorResponse(err);
  console.error("unhandled error", err instanceof Error ? (err.stack ?? err.message) : err);
  if (isStorageError(err)) {
    return errorResponse(
      new ApiError(503, "storage_unavailable", "Storage is unavailable right now; nothing was saved. Please try again.", undefined, {
        "Retry-After": "5",
      }),
    );
  }
  return errorResponse(new ApiError(500, "internal_error", "Something went wrong on our side."));
}

function isStorageError(err: unknown): boolean {
  const message = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}` : String(err);
  return /D1_|SQLITE|database|KV|storage|network connection lost|Failed query/i.test(message);
}

/** Hosts named in content/site.json for media and embedded players (read once). */
const SITE_HOSTS = cspHostsOf(site as CspSite);

/** Security headers for every answer of the Worker (HSTS only where the request came over HTTPS). */
export function withSecurityHeaders(res: Response, url: URL, opts: { turnstile?: boolean } = {}): Response {
  const out = new Response(res.body, res);
  const h = out.headers;
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Referrer-Policy", "strict-origin-when-cross-origin");
  h.set("Content-Security-Policy", contentSecurityPolicy({ turnstile: opts.turnstile ?? false, ...SITE_HOSTS }));
  h.set("X-Frame-Options", "DENY");
  if (url.protocol === "https:") h.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  return out;
}
