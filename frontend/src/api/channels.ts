import { api, unwrap } from "./client";
import type { ContactForm } from "./types";

/** Posts the public web form (no session: the endpoint is public and cookie-free). */
export function postContactForm(body: ContactForm) {
  return unwrap(api.POST("/api/channels/form/inbound", { body, credentials: "omit" }));
}
