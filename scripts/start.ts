// npm start: build, load the seed into the local D1 and KV, and serve on http://127.0.0.1:8787.
// Email is on locally: the author's address is author@localhost, and wrangler's simulator prints
// each email sent; a copy of each is kept in build/emails/ (wrangler's own files go when it restarts).
import { join } from "node:path";
import { ROOT } from "./content.ts";
import { ensureDevVars, prepareLocal, startDev } from "./local.ts";
import { emailKeeper } from "./outbox.ts";

const port = Number(process.env.PORT ?? 8787);
const token = ensureDevVars();
await prepareLocal();
const site = `http://127.0.0.1:${port}`;
const outbox = join(ROOT, "build", "emails");
const keeper = emailKeeper(outbox);
const child = await startDev({
  port,
  vars: { EMAIL_FROM: "billet@localhost", AUTHOR_EMAIL: "author@localhost", PUBLIC_URL: site },
  onOutput: (chunk) => keeper.write(chunk),
});
console.log(`
billet is running:
  the seed post   ${site}/posts/reseaux-sociaux-trois-ans-apres/
  home page       ${site}/
  moderation      ${site}/admin/  (the admin token is in .dev.vars: ${token})
  emails          printed below as wrangler sends them (to author@localhost, and to readers who ask),
                  and kept, one file each, in build/emails/
  daily job       curl "${site}/cdn-cgi/handler/scheduled" (address clean-up, digest, subscriptions, spam filter)
  reply by email  curl -X POST "${site}/cdn-cgi/handler/email?from=author@localhost&to=moderation@localhost" --data-binary @reply.eml
`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
