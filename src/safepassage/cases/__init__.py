"""Cases: the encrypted application, its state machine, messages, notes, duplicates, probes."""
