// The reference web client (web/, built by `npm run build:web` into dist/web) served at /app/, in
// production too: hashed files under /app/assets/ are cached for a year, every other /app/ path
// that is not a file answers index.html (the client routes it) and is never cached. Text files are
// gzipped once, when first asked for, for clients that accept it.
import { readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";

export const WEB_APP_PATH = "/app";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".json", ".svg", ".txt"]);

interface Asset {
  type: string;
  body: Buffer;
  gzipped?: Buffer;
  cacheControl: string;
}

/** dist/web beside dist/src, where this file runs from (dist/src/server). */
export const defaultWebRoot = () => resolve(__dirname, "..", "..", "web");

/**
 * Serves `root` under /app/; returns false for any other path. A missing build (no index.html)
 * answers 404 saying how to build it.
 */
export function createWebApp(root = defaultWebRoot()): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const cache = new Map<string, Asset | null>();
  const load = (file: string): Asset | null => {
    if (cache.has(file)) return cache.get(file)!;
    let asset: Asset | null = null;
    const full = resolve(join(root, file));
    try {
      if (full.startsWith(root + sep) && statSync(full).isFile()) {
        const ext = extname(full);
        const body = readFileSync(full);
        asset = {
          type: TYPES[ext] ?? "application/octet-stream",
          body,
          gzipped: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body) : undefined,
          // Vite names what it builds into assets/ by content hash: a new build is a new name.
          cacheControl: file.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache",
        };
      }
    } catch {
      asset = null;
    }
    if (asset) cache.set(file, asset);
    return asset;
  };

  return (req, res, path) => {
    if (path !== WEB_APP_PATH && !path.startsWith(`${WEB_APP_PATH}/`)) return false;
    if (path === WEB_APP_PATH) {
      res.writeHead(308, { location: `${WEB_APP_PATH}/` }).end();
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    let file: string;
    try {
      file = decodeURIComponent(path.slice(WEB_APP_PATH.length + 1));
    } catch {
      res.writeHead(400).end();
      return true;
    }
    // A path with an extension names a file (a missing one is 404); any other is a screen of the app.
    let asset = file === "" || extname(file) === "" ? null : load(file);
    if (!asset && (file === "" || extname(file) === "")) asset = load("index.html");
    if (!asset) {
      const built = load("index.html") !== null;
      res.writeHead(404, { "content-type": TYPES[".txt"] }).end(built ? "not found" : "the web app is not built: run npm run build:web");
      return true;
    }
    const gzip = asset.gzipped && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = gzip ? asset.gzipped! : asset.body;
    res.writeHead(200, {
      "content-type": asset.type,
      "content-length": body.length,
      "cache-control": asset.cacheControl,
      vary: "accept-encoding",
      "x-content-type-options": "nosniff",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
      ...(asset.type.startsWith("text/html") ? { "referrer-policy": "no-referrer", "x-frame-options": "DENY" } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
