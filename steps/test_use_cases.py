"""Binds every feature of every use case as pytest-bdd scenarios (run by ``amicert run``)."""

from pytest_bdd import scenarios

scenarios(".")
