"""Codes for the office's tools: data-entry templates (kaohe template) and new jurisdiction folders (kaohe init)."""

MESSAGES: dict[str, tuple[str, str]] = {
}
