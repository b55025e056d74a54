"""kaohe: rules-as-configuration engine for public-sector performance assessment."""

__version__ = "0.1.0"
