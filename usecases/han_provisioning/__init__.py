"""Use case I3 (Utility Upgrades AMI System to Address Future Requirements): the HAN
provisioning scenarios 3.2 and 3.3 of its HAN changes."""
