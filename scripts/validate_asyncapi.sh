#!/usr/bin/env bash
# Validate docs/events/asyncapi.yaml against the official AsyncAPI 3.0.0 JSON Schema.
# Not part of `make test`: it downloads the @asyncapi/specs package from the npm registry.
set -euo pipefail

cd "$(dirname "$0")/.."
specs=$(mktemp -d)
trap 'rm -rf "$specs"' EXIT

(cd "$specs" && npm pack --silent @asyncapi/specs@6 >/dev/null && tar -xzf asyncapi-specs-*.tgz)

uv run python - "$specs/package/schemas/3.0.0-without-\$id.json" docs/events/asyncapi.yaml <<'PY'
import json
import sys

import jsonschema
import yaml

schema = json.load(open(sys.argv[1], encoding="utf-8"))
document = yaml.safe_load(open(sys.argv[2], encoding="utf-8"))
errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(document))
for error in errors:
    print("/".join(map(str, error.absolute_path)), error.message[:200], file=sys.stderr)
print(f"{sys.argv[2]}: {'invalid' if errors else 'valid AsyncAPI 3.0.0'}")
sys.exit(1 if errors else 0)
PY
