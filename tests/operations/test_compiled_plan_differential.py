"""`PlannedExecution` answers exactly what graphql-core's generic execution answers, for every document in
`operations/`: data (keys in order, nulls included) and errors (message, path, locations, code).

Each root field is resolved once and completed both ways (`differential_execution`): the supplier's whole
journey (every document, mutations and subscriptions included), then each query document under
failures — an order system or the bank down, an unknown supplier, an operator on a supplier's pages,
ids that name nothing — so that errors and nulls are compared too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from app_fixtures import Bff
from differential_execution import DifferentialExecution, Record
from graph_fixtures import Graph
from graphql import NonNullTypeNode, OperationDefinitionNode, parse
from test_operations import OPERATIONS, whole_journey

from bff.auth import Role
from bff.schema import schema


@pytest.fixture
def differential(monkeypatch: pytest.MonkeyPatch) -> Iterator[Record]:
    record = Record()
    monkeypatch.setattr(DifferentialExecution, "record", record)
    monkeypatch.setattr(schema, "execution_context_class", DifferentialExecution)
    yield record
    assert record.mismatches == [], "\n".join(record.mismatches)


async def test_the_journey_through_every_operation_answers_the_same_planned(
    bff: Bff, differential: Record
) -> None:
    await whole_journey(bff)
    assert differential.operations == set(OPERATIONS)
    assert differential.compared > len(OPERATIONS)


DUMMY = {"ID": "T3JkZXI6TUFMTDo5OTk5OTk5", "String": "x", "Int": 3, "Date": "2026-01-01", "Boolean": True}


def _variables(text: str) -> dict[str, Any]:
    """Values for the required variables: ids that name nothing, plausible scalars."""
    [operation] = [d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)]
    variables: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if not isinstance(definition.type, NonNullTypeNode) or definition.default_value is not None:
            continue
        inner = definition.type.type
        listed = not hasattr(inner, "name")
        name = inner.type.type.name.value if listed else inner.name.value  # type: ignore[attr-defined]
        value = {"EntryPoint": "FINTECH_HOME_BANNER", "RepaymentStartKind": "EARLY_FULL"}.get(
            name, DUMMY.get(name, "x")
        )
        variables[definition.variable.name.value] = [value] if listed else value
    return variables


QUERIES = [operation for operation in OPERATIONS.values() if operation.kind == "query"]
BACK_OFFICE = {"BackOfficeSuppliers", "EntryPointFunnel", "OverdueLoans"}
# One order system down at a time: with both down, which one's 503 an error names follows the timing of
# their answers (two generic executions differ too), so that situation cannot be compared.
SITUATIONS = ["as_usual", "mall_down", "mro_down", "bank_down", "unknown_supplier", "operator"]


@pytest.fixture
def outages(graph: Graph) -> Iterator[None]:
    yield
    for system in ("mall", "mro"):
        graph.sandbox.state.set_order_system_down(system, False)
    graph.sandbox.state.set_webank_down(False)


@pytest.mark.usefixtures("outages")
async def test_each_query_under_failures_answers_the_same_planned(graph: Graph, differential: Record) -> None:
    answered_errors = answered_nulls = 0
    for situation in SITUATIONS:
        for system in ("mall", "mro"):
            graph.sandbox.state.set_order_system_down(system, situation == f"{system}_down")
        graph.sandbox.state.set_webank_down(situation == "bank_down")
        for operation in QUERIES:
            options: dict[str, Any] = {}
            if situation == "unknown_supplier":
                options["as_supplier"] = "GD-NOBODY"
            elif situation == "operator" or operation.name in BACK_OFFICE:
                options.update(as_supplier="OPS", role=Role.OPERATOR)
            for variables in ({}, _variables(operation.text)):
                body = await graph.query(operation.text, variables, **options)
                answered_errors += "errors" in body
                answered_nulls += "null" in repr(body) or "None" in repr(body)
    assert differential.operations == {operation.name for operation in QUERIES}
    assert differential.with_errors > 0
    assert differential.with_nulls > 0
    assert answered_errors > 0
    assert answered_nulls > 0
