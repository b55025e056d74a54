"""Codes raised by the built-in raters."""

MESSAGES: dict[str, tuple[str, str]] = {}
