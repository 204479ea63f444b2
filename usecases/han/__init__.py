"""HAN use cases (System Configuration and Management): HAN installation and provisioning,
utility registration, remote diagnostics and troubleshooting, diagnostics and maintenance."""
