"""Messages of `kaohe fmt`."""

MESSAGES: dict[str, tuple[str, str]] = {}
