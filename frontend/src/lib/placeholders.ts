export interface PlaceholderContext {
  customer?: { name?: string | null } | null;
  agent?: { name?: string | null } | null;
  ticket?: { number?: number | null } | null;
}

const PATTERN = /\{\{\s*([a-z_]+)\.([a-z_]+)\s*\}\}/gi;

/**
 * Fill `{{customer.name}}`, `{{agent.name}}` and `{{ticket.number}}` in a
 * canned reply. Unknown placeholders, or ones without a value, are left as
 * they are so the agent notices and edits them before sending.
 */
export function fillPlaceholders(body: string, ctx: PlaceholderContext): string {
  return body.replace(PATTERN, (match, obj: string, field: string) => {
    const source = (ctx as Record<string, Record<string, unknown> | null | undefined>)[obj.toLowerCase()];
    const value = source?.[field.toLowerCase()];
    if (value === undefined || value === null || value === "") return match;
    return String(value);
  });
}
