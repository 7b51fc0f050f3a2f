"""The supervisors' live wallboard: what a tenant's agents and queues are doing now."""
