"""Automation rules: event rules (triggers) and time rules (automations) of
/work/shared/spec/automation-rules.md. conditions.evaluate and actions.describe are pure, so
the dry-run replays history through the same code the live runner uses."""
