"""Cross-domain customer steps. Merging two customers moves their whole history: see
merge.py (and duplicates.py for the suggestions that lead to it)."""

from __future__ import annotations

from .merge import merge_customers

__all__ = ["merge_customers"]
