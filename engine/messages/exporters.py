"""Codes raised by the built-in exporters."""

MESSAGES: dict[str, tuple[str, str]] = {}
