// Regenerate the API types into a temp file and fail if they differ from the
// committed src/api/schema.d.ts.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const schemaJson = resolve(root, process.env.OPENAPI_JSON ?? "../openapi.json");
const committed = join(root, "src/api/schema.d.ts");

if (!existsSync(schemaJson)) {
  console.error(`check:api: ${schemaJson} not found (run \`servicedesk openapi > openapi.json\` in the repo root)`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "sd-api-"));
const out = join(dir, "schema.d.ts");
try {
  execFileSync(
    process.execPath,
    [join(root, "node_modules/openapi-typescript/bin/cli.js"), schemaJson, "-o", out],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const a = readFileSync(out, "utf8");
  const b = existsSync(committed) ? readFileSync(committed, "utf8") : "";
  if (a !== b) {
    console.error("check:api: src/api/schema.d.ts is out of date; run `npm run gen:api` and commit the result.");
    process.exit(1);
  }
  console.log("check:api: src/api/schema.d.ts is up to date.");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
