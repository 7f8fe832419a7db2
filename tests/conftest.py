"""Fixtures shared by every test level; the stack fixtures come from the servicekit plugin."""

pytest_plugins = ["vaxflow_servicekit.testing"]
