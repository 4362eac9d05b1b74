// npm start: build, load the seed into the local D1 and KV, and serve on http://127.0.0.1:8787.
// Email is on locally: the author's address is author@localhost, and wrangler's simulator prints
// each email sent, with the file it kept it in (open it to use its one-click links).
import { ensureDevVars, prepareLocal, startDev } from "./local.ts";

const port = Number(process.env.PORT ?? 8787);
const token = ensureDevVars();
await prepareLocal();
const site = `http://127.0.0.1:${port}`;
const child = await startDev({ port, vars: { EMAIL_FROM: "billet@localhost", AUTHOR_EMAIL: "author@localhost", PUBLIC_URL: site } });
console.log(`
billet is running:
  the seed post   ${site}/posts/reseaux-sociaux-trois-ans-apres/
  home page       ${site}/
  moderation      ${site}/admin/  (the admin token is in .dev.vars: ${token})
  emails          printed below as wrangler sends them (to author@localhost, and to readers who ask)
  reply by email  curl -X POST "${site}/cdn-cgi/handler/email?from=author@localhost&to=moderation@localhost" --data-binary @reply.eml
`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
