#!/usr/bin/env bash
# Copy the built files of the front-end libraries (pinned in package.json and package-lock.json)
# into each page's vendor/ folder. The copies are committed, so the pages need no network at run
# time and neither CI nor `make up` needs npm; run this after changing a library's version:
#   cd web && npm ci && npm run vendor
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund

out=mcc/vendor
rm -rf "$out"
mkdir -p "$out/fetch-event-source"

sed "/^\/\/# sourceMappingURL=/d" node_modules/preact/dist/preact.mjs > "$out/preact.mjs"
cp node_modules/htm/dist/htm.mjs "$out/htm.mjs"
cp node_modules/uplot/dist/uPlot.esm.js "$out/uPlot.esm.js"
cp node_modules/uplot/dist/uPlot.min.css "$out/uPlot.min.css"
# The package's ES modules import "./fetch" and "./parse" without the extension a browser needs.
for file in index fetch parse; do
  sed -E "s#from '\./(fetch|parse)';#from './\1.js';#; /^\/\/# sourceMappingURL=/d" \
    "node_modules/@microsoft/fetch-event-source/lib/esm/$file.js" \
    > "$out/fetch-event-source/$file.js"
done

# The licences travel with the copies.
mkdir -p "$out/licenses"
cp node_modules/preact/LICENSE "$out/licenses/preact.LICENSE"
cp node_modules/htm/LICENSE "$out/licenses/htm.LICENSE"
cp node_modules/uplot/LICENSE "$out/licenses/uplot.LICENSE"
cp node_modules/@microsoft/fetch-event-source/LICENSE "$out/licenses/fetch-event-source.LICENSE"

versions=$(node -e '
  const lock = require("./package-lock.json").packages;
  for (const name of ["preact", "htm", "uplot", "@microsoft/fetch-event-source"])
    console.log(`| ${name} | ${lock["node_modules/" + name].version} |`);
')
cat > "$out/README.md" <<README
# Vendored front-end libraries of the /mcc/ page

Copied from the npm registry's packages by \`web/vendor.sh\` (versions pinned in
\`web/package.json\` and \`web/package-lock.json\`); do not edit these files by hand.

| package | version |
| --- | --- |
$versions

| file | from | licence |
| --- | --- | --- |
| preact.mjs | preact/dist/preact.mjs | MIT (licenses/preact.LICENSE) |
| htm.mjs | htm/dist/htm.mjs | Apache-2.0 (licenses/htm.LICENSE) |
| uPlot.esm.js, uPlot.min.css | uplot/dist/ | MIT (licenses/uplot.LICENSE) |
| fetch-event-source/*.js | @microsoft/fetch-event-source/lib/esm/ (imports given their .js extension) | MIT (licenses/fetch-event-source.LICENSE) |
README
echo "vendored into web/$out:"
ls -R "$out"
