"""Messages of `kaohe impact`."""

MESSAGES: dict[str, tuple[str, str]] = {}
