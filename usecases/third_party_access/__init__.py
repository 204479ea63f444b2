"""C4 External clients use the AMI to interact with devices at the customer site: catalog,
features, driver (``driver.DRIVER``) and the third-party access vocabulary (``vocabulary``)."""
