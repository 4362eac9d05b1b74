// Starts Waline (installed by bench/peer-waline.sh) for the bench, with two changes that only keep
// it on this machine: it listens on 127.0.0.1 rather than every interface, and the OAuth service
// list it fetches from the Internet on every request (middleware fetch-oauth-service) is answered
// in-process with an empty list. The second makes Waline faster here than in production, where that
// fetch is a real HTTPS request.
const net = require("node:net");
const path = require("node:path");

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if ((typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) && typeof args[1] !== "string") {
    args.splice(1, 0, "127.0.0.1");
  } else if (first && typeof first === "object" && "port" in first && !first.host) {
    args[0] = { ...first, host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};

const OAUTH = "http://waline-oauth.invalid/";
process.env.OAUTH_URL = OAUTH;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) =>
  String(input) === OAUTH ? Promise.resolve(new Response('{"services":[]}', { headers: { "content-type": "application/json" } })) : realFetch(input, init);

require(path.join(process.env.WALINE_DIR, "node_modules", "@waline", "vercel", "vanilla.js"));
