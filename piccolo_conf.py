"""Piccolo's configuration lives in the package (servicedesk.piccolo_conf) so that the
installed `servicedesk` command finds it from any directory; this file serves the
`piccolo` command run from the project root."""

from servicedesk.piccolo_conf import APP_REGISTRY, DB

__all__ = ["APP_REGISTRY", "DB"]
