import type { ContactForm } from "../../api/types";

export const EMPTY = { name: "", email: "", phone: "", subject: "", message: "", order_number: "", website: "" };
export type Fields = typeof EMPTY;

/** The body posted: optional fields only when filled; `website` is the honeypot. */
export function formBody(fields: Fields): ContactForm {
  const body: ContactForm = {
    name: fields.name.trim(),
    email: fields.email.trim(),
    subject: fields.subject.trim(),
    message: fields.message,
  };
  if (fields.phone.trim()) body.phone = fields.phone.trim();
  if (fields.order_number.trim()) body.order_number = fields.order_number.trim();
  if (fields.website) body.website = fields.website;
  return body;
}
