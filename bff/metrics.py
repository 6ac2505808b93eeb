"""Prometheus metrics, served on `/metrics`."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

UPSTREAM_REQUESTS = Counter(
    "bff_upstream_requests_total", "Requests sent to upstream systems", ["system", "outcome"]
)
UPSTREAM_SECONDS = Histogram("bff_upstream_request_seconds", "Upstream request latency", ["system"])
GRAPHQL_OPERATIONS = Counter(
    "bff_graphql_operations_total", "GraphQL operations executed", ["type", "outcome"]
)
QUARANTINED_BANK_EVENTS = Counter(
    "bff_bank_events_quarantined_total",
    "Signed bank notifications the BFF could not understand, kept for operators",
    ["stage"],  # envelope: the body did not parse; data: a stored event's data was unreadable
)
