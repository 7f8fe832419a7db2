// The portal is served by the gateway at / (see the [[page]] row in deploy/gateway/routes.toml).
// Built files go to dist/ (committed); hashed bundles under dist/assets/ are cached by browsers.
// dist/build-stamp.json records a digest of the sources the build came from, so a cheap test
// (tests/e2e/test_citizen_portal_build.py) tells when dist/ is stale: run `npm ci && npm run build`.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const ROOT = fileURLToPath(new URL(".", import.meta.url));
// What a build depends on (keep in step with SOURCES in the test).
const SOURCES = ["index.html", "package.json", "package-lock.json", "vite.config.js", "src", "public"];

function files(path) {
  return statSync(path).isDirectory()
    ? readdirSync(path).flatMap((name) => files(join(path, name)))
    : [path];
}

/** sha256 over "<relative path>\0<sha256 of the file>\n" for every source file, sorted by path. */
export function sourcesDigest() {
  const digest = createHash("sha256");
  const paths = SOURCES.flatMap((s) => files(join(ROOT, s)))
    .map((p) => relative(ROOT, p).split(sep).join("/"))
    .sort();
  for (const path of paths) {
    const content = createHash("sha256").update(readFileSync(join(ROOT, path))).digest("hex");
    digest.update(`${path}\0${content}\n`);
  }
  return digest.digest("hex");
}

const stamp = {
  name: "vaxflow-build-stamp",
  generateBundle() {
    this.emitFile({
      type: "asset",
      fileName: "build-stamp.json",
      source: `${JSON.stringify({ sources_sha256: sourcesDigest() }, null, 2)}\n`,
    });
  },
};

export default defineConfig({
  base: "/",
  plugins: [stamp],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // No inline scripts or data: URLs: the gateway's Content-Security-Policy allows only self.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
});
