"""The operators' release tool (``taihaoban-release``): builds release bundles, keeps the
signed TUF repository terminals update from, and reads the fleet's status from the platform.
Not shipped to terminals (see fleet/README.md)."""
