"""Reading agency files, normalising values, quarantine and idempotent batches."""
