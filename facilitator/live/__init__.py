"""Live sync: snapshots, per-role redaction, catch-up and the socket namespace."""
