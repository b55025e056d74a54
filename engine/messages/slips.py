"""Codes for slips a Chinese keyboard makes in a ruleset: full-width colons, commas and quotes, tabs, = for ==, full-width digits."""

MESSAGES: dict[str, tuple[str, str]] = {
}
