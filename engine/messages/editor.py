"""Codes for the editor schema: kaohe schema ruleset with installed components."""

MESSAGES: dict[str, tuple[str, str]] = {
}
