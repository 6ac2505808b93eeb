"""Plain async functions behind the graph's fields: they return records or raise `bff.errors`."""
