"""First-party analytics: event collection, rollups and reports. Never imports `routes`."""
