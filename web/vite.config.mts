// The reference web client: `npm run build:web` writes dist/web (served by the API at /app/),
// `npm run dev` runs this dev server with live reload at http://localhost:5173/app/, passing
// /graphql (HTTP and WebSocket) to the API on API_URL (default http://localhost:4000).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const api = process.env.API_URL ?? "http://localhost:4000";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/app/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  server: {
    port: 5173,
    proxy: { "/graphql": { target: api, ws: true, changeOrigin: true } },
  },
});
