// Regenerate the API types into a temp file and fail if they differ from the
// committed src/api/schema.d.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { committed, generate, requireSchema } from "./openapi.mjs";

requireSchema();
const dir = mkdtempSync(join(tmpdir(), "sd-api-"));
try {
  const out = join(dir, "schema.d.ts");
  generate(out);
  const fresh = readFileSync(out, "utf8");
  const current = existsSync(committed) ? readFileSync(committed, "utf8") : "";
  if (fresh !== current) {
    console.error("check:api: src/api/schema.d.ts is out of date; run `npm run gen:api` and commit the result.");
    process.exit(1);
  }
  console.log("check:api: src/api/schema.d.ts matches the backend schema.");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
