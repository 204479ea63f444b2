"""I2 Utility Manages End-to-End Lifecycle of the Meter System: catalog, features, driver
(``driver.DRIVER``) and the meter-lifecycle vocabulary and physical world (``vocabulary``)."""
