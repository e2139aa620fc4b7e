"""Setting a club up: the starter config and workbook."""
