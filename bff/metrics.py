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
RECONCILE_REPAIRS = Counter(
    "bff_reconcile_repairs_total",
    "Repairs reconciliation with WeBank applied (a missed bank event, or a loan the BFF never heard of)",
    ["kind"],  # LIMIT_DECISION, LOAN_BACKFILLED, LOAN_STATUS, LOAN_OVERDUE, REPAYMENT
)
