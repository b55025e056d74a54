"""Codes raised by the built-in outcomes."""

MESSAGES: dict[str, tuple[str, str]] = {}
