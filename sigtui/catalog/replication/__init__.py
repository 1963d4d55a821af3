"""Replication of image versions to their target regions (SIG-REPLICATION)."""
