"""Root conftest: collect ruleset YAML test cases with the unit tests."""

pytest_plugins = ["engine.pytest_plugin"]
