"""Binds every feature of every use-case package as pytest-bdd scenarios (run by ``amicert run``)."""

from pytest_bdd import scenarios

from amicert.packages import packages

for _package in packages():
    scenarios(str(_package.root))
