"""The credit platform seen from the terminal: signed client, watch, outbox drain."""
