import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../workers/index.ts";

export const SLUG = "reseaux-sociaux-trois-ans-apres";
export const ORIGIN = "https://billet.test";
export const ADMIN = { Authorization: "Bearer test-admin-token" };

let ip = Math.floor(Math.random() * 1e6);
/** A new client per call (its own IPv6 /64, which is what the rate limiter tells apart). */
export function newReader(): Record<string, string> {
  ip++;
  return { "CF-Connecting-IP": `2001:db8:${(ip >> 16).toString(16)}:${(ip & 0xffff).toString(16)}::1` };
}

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, init));
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...newReader(), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...newReader(), ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

let n = 0;
export function uniqueComment(extra: Record<string, unknown> = {}): Record<string, unknown> {
  n++;
  return { author_name: `Lectrice ${n}`, content: `Un commentaire numéro ${n} — ${crypto.randomUUID()}`, ...extra };
}

export async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<{ error: { code: string; message: string; fields?: Record<string, string> } }> {
  const body = (await res.json()) as { error: { code: string; message: string; fields?: Record<string, string> } };
  if (res.status !== status || body.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(body)}`);
  }
  if (typeof body.error.message !== "string" || !body.error.message) throw new Error("error without a message");
  return body;
}

export async function approve(id: number): Promise<void> {
  const res = await call(`/api/admin/comments/${id}/approve`, { method: "POST", headers: ADMIN });
  if (res.status !== 200) throw new Error(`approve ${id}: ${res.status} ${await res.text()}`);
}

/** A request through the Worker with some bindings replaced (a broken store, a missing secret...). */
export async function fetchWith(overrides: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, init) as Request<unknown, IncomingRequestCfProperties>, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
