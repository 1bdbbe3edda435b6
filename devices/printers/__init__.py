"""Printers: the thermal receipt printer and the A4 document printer."""
