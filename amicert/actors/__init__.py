"""Actor role interfaces and the base every actor implementation (reference or adapter) builds on."""
