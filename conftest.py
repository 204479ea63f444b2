"""Root conftest: loads the generic steps as a plugin, for every scenario of every use case."""

pytest_plugins = ["steps.generic"]
