"""The staff home page: counters per case state."""
