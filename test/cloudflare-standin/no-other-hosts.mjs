// Loaded into every Node process of a rehearsal (NODE_OPTIONS="--import …/no-other-hosts.mjs"): npm,
// the project's scripts, wrangler. Any connection or name lookup for a host other than this machine
// is refused before a packet leaves, and written to $BILLET_NETWORK_LOG, which the rehearsal test
// reads: a non-empty log fails it. Plain JavaScript, so that npm's own Node (20) loads it as well.
import { appendFileSync } from "node:fs";
import dns from "node:dns";
import net from "node:net";

const LOG = process.env.BILLET_NETWORK_LOG;
const LOCAL = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);
const who = () => `${process.argv.slice(1, 4).join(" ")}`.slice(0, 200);

function refuse(what) {
  const line = `${new Date().toISOString()} pid ${process.pid} (${who()}) tried ${what}\n`;
  if (LOG) {
    try {
      appendFileSync(LOG, line);
    } catch {
      // the log is only for the test; never let it break the process
    }
  }
  const err = new Error(`blocked by the rehearsal: ${what} (only 127.0.0.1 may be reached)`);
  err.code = "ECONNREFUSED";
  return err;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() passes its normalized arguments as one array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  let host;
  let port;
  if (first !== null && typeof first === "object" && !Array.isArray(first)) {
    if (first.path !== undefined) return connect.apply(this, args); // a local (Unix) socket
    host = first.host ?? "localhost";
    port = first.port;
  } else if (typeof first === "string" && Number.isNaN(Number(first))) {
    return connect.apply(this, args); // a Unix socket path
  } else {
    const rest = Array.isArray(args[0]) ? args[0] : args;
    port = first;
    host = typeof rest[1] === "string" ? rest[1] : "localhost";
  }
  if (!LOCAL.has(String(host).replace(/^\[|\]$/g, ""))) {
    const err = refuse(`to connect to ${host}:${port}`);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  const cb = typeof options === "function" ? options : callback;
  if (!LOCAL.has(hostname)) {
    const err = refuse(`to look up ${hostname}`);
    process.nextTick(() => cb(err));
    return {};
  }
  return lookup.call(this, hostname, options, callback);
};
const promiseLookup = dns.promises.lookup;
dns.promises.lookup = function (hostname, options) {
  if (!LOCAL.has(hostname)) return Promise.reject(refuse(`to look up ${hostname}`));
  return promiseLookup.call(this, hostname, options);
};
