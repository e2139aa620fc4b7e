// For each HTML file named on the command line, prints one JSON line: the file and what
// doiuse-email (the caniemail.com data) says Gmail, Outlook and Apple Mail do not support in it.
// DOIUSE_EMAIL is the path of doiuse-email's index.js (where the test runner installed it).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const { doIUseEmail } = await import(pathToFileURL(process.env.DOIUSE_EMAIL).href);
const emailClients = ["gmail.*", "outlook.*", "apple-mail.*"];
for (const file of process.argv.slice(2)) {
  const { errors } = doIUseEmail(readFileSync(file, "utf8"), { emailClients });
  console.log(JSON.stringify({ file, errors }));
}
