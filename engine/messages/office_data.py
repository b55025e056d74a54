"""Codes for the data an office hands in: headers by title, title rows above the header, numbers as offices write them, .xls and GBK files."""

MESSAGES: dict[str, tuple[str, str]] = {
}
