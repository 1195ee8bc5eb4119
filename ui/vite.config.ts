import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const uiRoot = fileURLToPath(new URL(".", import.meta.url));

/**
 * The web UI builds into dist/ui, inside the published package, where `cairn server` serves it at `/`.
 * `npm run dev:ui` proxies the API to a Cairn server on :5000 so the UI can be developed with hot reload.
 */
export default defineConfig({
  root: uiRoot,
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/ui", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: {
      "/ajax-api": "http://127.0.0.1:5000",
    },
  },
});
