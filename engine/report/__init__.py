"""What people read: the results document (``results``), explanations of one
subject (``explain``), the terminal table and exporter dispatch (``render``),
resolved rulesets (``show``), and whole-or-nothing file output (``atomic``)."""
