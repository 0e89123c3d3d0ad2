// Outside production: the landing page (Apollo Sandbox, loaded from Apollo's CDN) and, for when it
// cannot load (no network), a bundled explorer served from this server's own files under /explorer:
// Altair, from the npm package altair-static, with the Authorization header and graphql-ws
// subscriptions set up for this API. Production serves neither (apollo.ts, http.ts).
import { createReadStream, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";

export const EXPLORER_PATH = "/explorer";

const OFFLINE_LINK = `<p>The bundled explorer works without network: <a id="offline-explorer" href="${EXPLORER_PATH}">open ${EXPLORER_PATH}</a> (Altair, served by this server).</p>`;

/**
 * Apollo's own landing page (Sandbox), whose "cannot be loaded, you might be offline" note, shown
 * when Sandbox's script does not load, links to the bundled explorer.
 */
export function landingPageWithExplorer(): ApolloServerPlugin<BaseContext> {
  const apollo = ApolloServerPluginLandingPageLocalDefault({ footer: false, includeCookies: false });
  return {
    async serverWillStart(context) {
      const listener = await apollo.serverWillStart!(context);
      return {
        async renderLandingPage() {
          const page = await listener!.renderLandingPage!();
          return {
            async html() {
              const html = typeof page.html === "string" ? page.html : await page.html();
              // Sandbox's empty frame covers the note: let clicks through until Sandbox fills it. (The
              // page's CSP admits only styles with its nonce.)
              const nonce = /<style nonce=["']?([\w+/=-]+)/.exec(html)?.[1];
              const style = nonce ? `<style nonce="${nonce}">#embeddableSandbox:empty { pointer-events: none; }</style>` : "";
              const note = /(<div class="fallback">[\s\S]*?)(<\/div>)/;
              return note.test(html)
                ? html.replace(note, (_, body: string, end: string) => body + OFFLINE_LINK + end + style)
                : html.replace("</body>", `${OFFLINE_LINK}${style}</body>`);
            },
          };
        },
      };
    },
  };
}

/** A JWT (or nothing): what `?token=` may put into the page. */
const TOKEN = /^(Bearer )?[\w-]+\.[\w-]+\.[\w-]+$/;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves the explorer: `/explorer` is Altair's page set up for this server (`?token=<jwt>` starts it
 * signed in), `/explorer/<file>` its files. Returns false for any other path.
 */
export function createExplorer(graphqlPath: string): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  // Loaded on first use: production never reads it.
  let altair: typeof import("altair-static") | undefined;
  const load = () => (altair ??= require("altair-static") as typeof import("altair-static"));
  return (req, res, path) => {
    if (path !== EXPLORER_PATH && !path.startsWith(`${EXPLORER_PATH}/`)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    const { renderAltair, getDistDirectory, isSandboxFrame, SANDBOX_FRAME_CSP } = load();
    const file = path.slice(EXPLORER_PATH.length + 1);
    if (file === "" || file === "index.html") {
      const url = new URL(req.url ?? "/", "http://localhost");
      const given = url.searchParams.get("token") ?? "";
      // Written into the page's script: a host name and port, nothing else.
      const host = /^[\w.:[\]-]{1,300}$/.test(req.headers.host ?? "") ? req.headers.host! : "localhost";
      // One environment variable holds the token; the header and the socket's connection params use it.
      const html = renderAltair({
        baseURL: `${EXPLORER_PATH}/`,
        initialName: "Campus Live",
        endpointURL: `http://${host}${graphqlPath}`,
        subscriptionsEndpoint: `ws://${host}${graphqlPath}`,
        initialSubscriptionRequestHandlerId: "graphql-ws",
        initialHeaders: { Authorization: "{{token}}" },
        initialSubscriptionsPayload: { authorization: "{{token}}" },
        initialEnvironments: { base: { title: "Campus Live", variables: { token: TOKEN.test(given) ? given : "" } } },
        initialQuery: "# Paste a token (from logIn, or the one `npm run seed` prints) into the environment's `token`\n# (Environments), or open /explorer?token=<token>.\nquery Me {\n  me {\n    id\n    name\n    role\n  }\n}\n",
        disableAccount: true,
      });
      res.writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-store", "referrer-policy": "no-referrer" });
      res.end(req.method === "HEAD" ? undefined : html);
      return true;
    }
    const root = getDistDirectory();
    let full: string;
    let size: number;
    try {
      full = resolve(join(root, decodeURIComponent(file)));
      if (!full.startsWith(root + sep)) throw new Error("outside");
      const stat = statSync(full);
      if (!stat.isFile()) throw new Error("not a file");
      size = stat.size;
    } catch {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
      return true;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(full)] ?? "application/octet-stream",
      "content-length": size,
      "cache-control": "public, max-age=3600",
      ...(isSandboxFrame(full) ? { "content-security-policy": SANDBOX_FRAME_CSP } : {}),
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(full).pipe(res);
    return true;
  };
}
