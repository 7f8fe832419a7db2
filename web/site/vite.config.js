import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const ROOT = dirname(fileURLToPath(import.meta.url));
// What the build is made from; tests/e2e/test_site_console_build.py hashes the same files the
// same way to tell whether the committed dist/ is current.
const INPUTS = ["index.html", "vite.config.js", "package.json", "package-lock.json", "src", "public"];

function files(entry) {
  const full = join(ROOT, entry);
  if (statSync(full).isDirectory()) return readdirSync(full).flatMap((name) => files(join(entry, name)));
  return [entry.split(sep).join("/")];
}

function sourcesSha256() {
  const hash = createHash("sha256");
  for (const file of INPUTS.flatMap(files).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(ROOT, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const buildInfo = {
  name: "vaxflow-build-info",
  apply: "build",
  closeBundle() {
    const info = { sources_sha256: sourcesSha256(), rebuild: "cd web/site && npm ci && npm run build" };
    writeFileSync(join(ROOT, "dist", "build-info.json"), `${JSON.stringify(info, null, 2)}\n`);
  },
};

// Served by the gateway at /site/ from web/site/dist (a [[page]] row of deploy/gateway/routes.toml).
// The Content-Security-Policy allows only the gateway's own files: no inline script or style, so
// the build emits every script and style as a file and inlines nothing.
export default defineConfig({
  base: "/site/",
  plugins: [buildInfo],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2020",
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
});
