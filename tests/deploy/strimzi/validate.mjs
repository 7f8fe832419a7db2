// Validates Strimzi custom resources against the Strimzi CRD schemas, as compiled by
// @kubernetes-models/strimzi-kafka-operator (MIT). Reads a JSON array of resources on standard
// input; writes a JSON array of failures ({kind, name, error}); empty when all are valid.
import { readFileSync } from "node:fs";

const resources = JSON.parse(readFileSync(0, "utf8"));
const failures = [];
for (const resource of resources) {
  const [group, version] = resource.apiVersion.split("/");
  const name = resource.metadata?.name;
  try {
    const module = await import(
      `@kubernetes-models/strimzi-kafka-operator/${group}/${version}/${resource.kind}`
    );
    new module[resource.kind](resource).validate();
  } catch (error) {
    failures.push({ kind: resource.kind, name, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(failures));
