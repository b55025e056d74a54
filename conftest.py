"""Root conftest: collect ruleset YAML test cases with the unit tests."""

pytest_plugins = ["kaohe.engine.testing.pytest_plugin"]
