// Fails when src/api/schema.d.ts is not what openapi-typescript makes of docs/openapi.json.
import { readFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";

const spec = new URL("../../docs/openapi.json", import.meta.url);
const committed = readFileSync(new URL("../src/api/schema.d.ts", import.meta.url), "utf8");
const fresh = astToString(await openapiTS(spec));
const strip = (text) => text.replace(/^\/\*\*[\s\S]*?\*\/\s*/, "").trim();
if (strip(fresh) !== strip(committed)) {
  console.error("src/api/schema.d.ts is stale: run `npm run gen:api` and commit it");
  process.exit(1);
}
console.log("src/api/schema.d.ts matches docs/openapi.json");
