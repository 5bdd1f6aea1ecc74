"""Self-hostable service desk with customer-experience scoring."""

import os

os.environ.setdefault("PICCOLO_CONF", "servicedesk.piccolo_conf")
