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
