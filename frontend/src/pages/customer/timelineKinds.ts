/** Labels and colours of the touchpoint kinds (customers/timeline.py on the server). */
export const KIND_LABEL: Record<string, { label: string; color: string }> = {
  message: { label: "Message", color: "blue" },
  survey: { label: "Survey sent", color: "grape" },
  survey_answer: { label: "Survey answer", color: "grape" },
  campaign: { label: "Campaign", color: "teal" },
  journey: { label: "Journey", color: "orange" },
  lead: { label: "Lead", color: "indigo" },
};
