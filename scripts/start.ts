// npm start: build, load the seed into the local D1 and KV, and serve on http://127.0.0.1:8787.
import { ensureDevVars, prepareLocal, startDev } from "./local.ts";

const port = Number(process.env.PORT ?? 8787);
const token = ensureDevVars();
await prepareLocal();
const child = await startDev({ port });
console.log(`
billet is running:
  the seed post   http://127.0.0.1:${port}/posts/reseaux-sociaux-trois-ans-apres/
  home page       http://127.0.0.1:${port}/
  moderation      curl -H "Authorization: Bearer ${token}" "http://127.0.0.1:${port}/api/admin/comments?status=pending"
  (the admin token is in .dev.vars)
`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
