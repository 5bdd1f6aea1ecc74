// Shared helpers for gen:api / check:api.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The backend schema: ../openapi.json (written by `servicedesk openapi > openapi.json`), or $OPENAPI_JSON. */
export const schemaJson = resolve(root, process.env.OPENAPI_JSON ?? "../openapi.json");
export const committed = join(root, "src/api/schema.d.ts");

export function requireSchema() {
  if (!existsSync(schemaJson)) {
    console.error(
      `${schemaJson} not found: run \`servicedesk openapi > openapi.json\` in the repository root (or set OPENAPI_JSON).`,
    );
    process.exit(2);
  }
}

/** Run openapi-typescript on the backend schema, writing `out`. */
export function generate(out) {
  execFileSync(process.execPath, [join(root, "node_modules/openapi-typescript/bin/cli.js"), schemaJson, "-o", out], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}
