// Validates Gateway API objects against the schemas of @kubernetes-models/gateway-api.
// Reads a JSON array of objects on stdin; prints a JSON array of problems
// ({kind, name, problem}), empty when every object is valid. Exit status 0 either way,
// 2 when an object is not a Gateway API kind this package knows.
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(0, "utf8"));
const problems = [];
for (const object of objects) {
  const [group, version] = String(object.apiVersion).split("/");
  let Model;
  try {
    ({ [object.kind]: Model } = await import(`@kubernetes-models/gateway-api/${group}/${version}/${object.kind}`));
  } catch {
    console.error(`not a Gateway API kind: ${object.apiVersion} ${object.kind}`);
    process.exit(2);
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push({ kind: object.kind, name: object.metadata?.name, problem: String(error.message ?? error) });
  }
}
console.log(JSON.stringify(problems));
