import type { CustomerDetail } from "../api/types";

/** A customer as GET /api/customers/{id} answers it: Ann, one email, nothing else; tests
 * override what they are about. */
export function customerDetail(overrides: Partial<CustomerDetail> = {}): CustomerDetail {
  const email = overrides.email ?? "ann@acme.example";
  return {
    id: 1,
    name: "Ann Kowalski",
    email,
    phone: null,
    organization: null,
    tags: [],
    identities: [{ id: 1, kind: "email", value: email }],
    external_id: null,
    notes: "",
    merged_into: null,
    surveys_opt_out: false,
    email_bounced: false,
    marketing_consent: false,
    consent_source: "",
    consent_at: null,
    tickets: [],
    surveys: [],
    journey_stage: null,
    typed_fields: [],
    ...overrides,
  };
}
