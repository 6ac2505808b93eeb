"""Domain rules and records: plain Python, no GraphQL, no HTTP."""
