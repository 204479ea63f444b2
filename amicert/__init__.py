"""amicert: conformance and integration test harness for AMI use cases and IEC 61968 CIM messages."""

__version__ = "0.1.0"
