"""The camera in front of the resident: drivers, and the local face guidance that uses it."""
