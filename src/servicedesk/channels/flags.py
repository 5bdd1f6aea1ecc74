"""The ticket tags email in sets, readable by rules and other domains without importing the
channels service (docs/channels.md)."""

# A machine wrote to the ticket (auto-reply, list, bounce, a sender over its rate limit):
# no auto-replies, no surveys, no rule emails.
AUTOMATED_TAG = "automated-mail"
# A message could not be read: its raw bytes wait for an admin.
UNREADABLE_TAG = "mail-unreadable"
