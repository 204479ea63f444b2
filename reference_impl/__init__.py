"""Reference implementation of every actor of the use cases: honest state machines and stores.

One module per actor. Each use-case package's driver says which of them plays each of its roles
(``Driver.plays``); nothing here lists them.
"""
