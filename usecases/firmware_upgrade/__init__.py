"""AEP 5.8 Remote Meter Firmware Upgrade: catalog, features, driver (``driver.DRIVER``) and the
device-protocol vocabulary (``vocabulary``)."""
