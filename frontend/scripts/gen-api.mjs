// Regenerate src/api/schema.d.ts from the backend OpenAPI schema.
import { committed, generate, requireSchema, schemaJson } from "./openapi.mjs";

requireSchema();
generate(committed);
console.log(`gen:api: ${schemaJson} -> src/api/schema.d.ts`);
