"""Call reports for supervisors: metrics as SQL aggregates over the ``calls`` table, per
interval (cut in the tenant's time zone) and by queue, by agent or in total."""
