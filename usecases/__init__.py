"""The built-in use cases, one package each: catalog (usecase.yaml), features, driver, vocabulary.

``amicert.packages`` finds every sub-package holding a ``usecase.yaml``; nothing else lists them.
"""
