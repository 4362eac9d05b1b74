// fetch for the bench's own checks. After a load scenario the server may have closed the idle
// keep-alive connection fetch kept from before; a request that fails before any answer is retried.
export async function get(url: string, init?: RequestInit, tries = 3): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      if (i >= tries)
        throw new Error(
          `${init?.method ?? "GET"} ${url}: ${err instanceof Error ? `${err.message}${err.cause ? ` (${String(err.cause)})` : ""}` : String(err)}`,
        );
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}
