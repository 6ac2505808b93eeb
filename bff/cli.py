"""`bff`: demo, serve, sandbox, token, migrate, reconcile, operations."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import uvicorn

from bff import clock, db
from bff.auth import Role, mint_token
from bff.clock import SHANGHAI
from bff.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bff.reconcile import Reconciliation

DEMO_SUPPLIER = "GD-BOTH"
# What uvicorn.run exits with when the app never started (e.g. its lifespan startup failed).
STARTUP_FAILURE = 3
DEMO_DATABASE = "sqlite://bff-demo.sqlite3"
DEMO_RECONCILE_SECONDS = 30.0
FIRST_QUERY = (
    "{ viewer { name eligibility { eligible reasons { code } } "
    "orders(first: 20) { edges { node { orderNo source status amount } } } } }"
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = args.handler(args)
    except ConfigError as exc:
        print(f"bff: {exc}", file=sys.stderr)
        code = 2
    except db.DatabaseError as exc:
        print(f"bff: {exc}", file=sys.stderr)
        code = 1
    sys.exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bff", description="Xinrongbao (信融宝) GraphQL backend-for-frontend."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="everything in one process: sandbox upstreams, SQLite, GraphiQL",
        description="Run the graph on an embedded SQLite database against in-process sandbox upstreams, "
        "and print the GraphiQL URL and a demo bearer token. Needs nothing else running.",
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000, help="GraphQL port (default 8000)")
    demo.add_argument("--sandbox-port", type=int, default=0, help="sandbox port (default: any free port)")
    demo.add_argument("--database-url", default=DEMO_DATABASE, help=f"default {DEMO_DATABASE}")
    demo.set_defaults(handler=_demo)

    serve = commands.add_parser(
        "serve",
        help="production server, configured by BFF_* environment variables",
        description="Serve the graph. All configuration comes from BFF_* environment variables (see README); "
        "refuses to start on a bad setting or an unmigrated database.",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)

    sandbox = commands.add_parser(
        "sandbox",
        help="only the mall, MRO and WeBank simulators",
        description="Serve the mall (/mall), MRO (/mro) and WeBank (/webank) sandbox APIs on one port. "
        "The sandbox bank tells a BFF its decisions (credit limit, loans, repayments) only by notifying "
        "the BFF's webhook: without --webhook-url it cannot notify a BFF, so an admission stalls at the "
        "bank's decision (notifications wait until a URL is set, also later with "
        "POST /_sandbox/webank/webhook).",
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=9100)
    sandbox.add_argument(
        "--webhook-url",
        default=None,
        help="the BFF's webhook the sandbox bank notifies, e.g. http://127.0.0.1:8000/webhooks/webank; "
        "without it the bank cannot notify a BFF and an admission stalls at the bank's decision",
    )
    sandbox.set_defaults(handler=_sandbox)

    token = commands.add_parser(
        "token",
        help="mint a development bearer token",
        description="Print an HS256 token signed with BFF_JWT_SECRET for supplier CODE.",
    )
    token.add_argument("code", metavar="CODE", help="supplier code, e.g. GD-BOTH")
    token.add_argument("--role", choices=[role.value for role in Role], default=Role.SUPPLIER.value)
    token.add_argument("--hours", type=float, default=12.0, help="validity in hours (default 12)")
    token.set_defaults(handler=_token)

    reconcile = commands.add_parser(
        "reconcile",
        help="bring the BFF's records in line with WeBank's, and print what was repaired",
        description="Compare the BFF's records with WeBank's limit and loans (every supplier with a current "
        "admission, or only --supplier) and apply what the BFF missed through the notification handlers.",
    )
    reconcile.add_argument("--supplier", metavar="CODE", default=None, help="only this supplier")
    reconcile.set_defaults(handler=_reconcile)

    migrate = commands.add_parser(
        "migrate",
        help="apply the database migrations to BFF_DATABASE_URL",
        description="Apply every pending migration to BFF_DATABASE_URL and print what was applied.",
    )
    migrate.set_defaults(handler=_migrate)

    operations = commands.add_parser(
        "operations",
        help="list the page operations of operations/ with their SHA-256 hashes",
        description="Print each document of operations/ (one per portal page or widget) with the SHA-256 of "
        "its text: the hash a client sends as extensions.persistedQuery.sha256Hash (Apollo APQ), and what "
        "BFF_PERSISTED_ONLY=true allows.",
    )
    operations.add_argument("--json", action="store_true", help="a JSON array of {name, kind, file, sha256}")
    operations.set_defaults(handler=_operations)
    return parser


def _operations(args: argparse.Namespace) -> int:
    from bff.operations import load_operations, operations_directory

    found = load_operations(operations_directory())
    if args.json:
        listed = [{"name": o.name, "kind": o.kind, "file": o.file, "sha256": o.sha256} for o in found]
        print(json.dumps(listed, indent=2))
        return 0
    if not found:
        print(f"bff: no operations in {operations_directory()}", file=sys.stderr)
        return 1
    width = max(len(o.name) for o in found)
    for o in found:
        print(f"{o.name:<{width}}  {o.kind:<12}  {o.sha256}")
    return 0


def _token(args: argparse.Namespace) -> int:
    settings = load_settings()
    print(
        mint_token(
            settings.jwt_secret,
            args.code,
            role=Role(args.role),
            ttl=timedelta(hours=args.hours),
            audience=settings.jwt_audience,
        )
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    applied = asyncio.run(db.migrate(settings.database_url))
    where = db.redact_url(settings.database_url)
    print(f"applied {len(applied)} migration(s) to {where}" + "".join(f"\n  {name}" for name in applied))
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    settings = load_settings()
    pending = asyncio.run(db.pending_migrations(settings.database_url))
    if pending:
        print(
            f"bff: the database is not migrated ({len(pending)} pending). Run `bff migrate` first.",
            file=sys.stderr,
        )
        return 1
    runs = asyncio.run(_reconcile_runs(settings, args.supplier))
    for line in reconcile_report(runs):
        print(line)
    return 0


async def _reconcile_runs(settings: Settings, supplier: str | None) -> list[Reconciliation]:
    from bff.integrations.http import create_session
    from bff.integrations.webank import WebankClient
    from bff.reconcile import reconcile_all, reconcile_supplier

    await db.init_db(settings.database_url)
    session = create_session(
        connect=settings.upstream_connect_timeout,
        read=settings.upstream_read_timeout,
        total=settings.upstream_total_timeout,
    )
    try:
        webank = WebankClient(
            session, settings.webank_url, app_id=settings.webank_app_id, secret=settings.webank_secret
        )
        if supplier is not None:
            return [await reconcile_supplier(webank, supplier)]
        return await reconcile_all(webank)
    finally:
        await session.close()
        await db.close_db()


def reconcile_report(runs: Sequence[Reconciliation]) -> list[str]:
    """What `bff reconcile` prints (and `bff demo` after its first pass): one line per repair."""
    if not runs:
        return ["nothing to reconcile: no supplier has a current admission with a credit code"]
    lines = []
    for run in runs:
        if run.note is not None:
            lines.append(f"{run.supplier_code}: {run.note}")
            continue
        lines.append(f"{run.supplier_code}: {len(run.repairs)} repair(s)")
        lines.extend(f"  repaired {r.kind} {r.subject}: {r.detail}" for r in run.repairs)
        lines.extend(f"  differs  {d.kind} {d.subject}: {d.detail}" for d in run.discrepancies)
    return lines


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    pending = asyncio.run(db.pending_migrations(settings.database_url, time_limit=settings.database_timeout))
    if pending:
        print(
            f"bff: the database at {db.redact_url(settings.database_url)} is not migrated "
            f"({len(pending)} pending: {', '.join(pending)}). Run `bff migrate` first.",
            file=sys.stderr,
        )
        return 1
    if settings.uses_dev_secrets:
        logging.getLogger("bff").warning("BFF_JWT_SECRET or BFF_WEBANK_SECRET is the development default")
    _run_app(settings, args.host, args.port)
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    from bff_sandbox import SandboxStartupError, start_sandbox

    settings = load_settings()
    if args.webhook_url is None:
        print(
            "bff: warning: no --webhook-url, so the sandbox bank cannot notify a BFF "
            "(an admission stalls at the bank's decision)",
            file=sys.stderr,
            flush=True,
        )
    try:
        sandbox = start_sandbox(
            args.host,
            args.port,
            webank_app_id=settings.webank_app_id,
            webank_secret=settings.webank_secret,
            webhook_url=args.webhook_url,
        )
    except SandboxStartupError as exc:
        print(f"bff: {exc}; pass --port", file=sys.stderr)
        return 1
    print(f"sandbox upstreams on {sandbox.url}:")
    print(
        f"  BFF_MALL_URL={sandbox.mall_url}\n  BFF_MRO_URL={sandbox.mro_url}\n  BFF_WEBANK_URL={sandbox.webank_url}\n"
        f"  BFF_SMS_URL={sandbox.sms_url}\n  BFF_EMAIL_URL={sandbox.email_url}\n"
        f"SMS and e-mails the BFF sends are recorded at {sandbox.url}/_sandbox/messages "
        f"(page: {sandbox.url}/_sandbox/messages/page)"
    )
    _wait_for_signal()
    sandbox.stop()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bff_sandbox import SandboxStartupError, start_sandbox

    base = load_settings(database_url=args.database_url)
    # Bound before anything is printed and held until uvicorn serves on it: the banner never advertises a
    # port another process owns, and nothing can take it while the sandbox and the migrations start.
    try:
        listener = _listen(args.host, args.port)
    except OSError as exc:
        print(f"bff: {_listen_error(args.host, args.port, exc)}", file=sys.stderr)
        return 1
    with listener:
        port = listener.getsockname()[1]  # the port bound, also when --port 0 asked for any free one
        try:
            sandbox = start_sandbox(
                args.host,
                args.sandbox_port,
                webank_app_id=base.webank_app_id,
                webank_secret=base.webank_secret,
                # the sandbox bank notifies this BFF's webhook, so the admission flow can be clicked through
                webhook_url=f"http://{args.host}:{port}/webhooks/webank",
            )
        except SandboxStartupError as exc:
            print(f"bff: {exc}; pass --sandbox-port", file=sys.stderr)
            return 1
        try:
            settings = load_settings(
                database_url=args.database_url,
                mall_url=sandbox.mall_url,
                mro_url=sandbox.mro_url,
                webank_url=sandbox.webank_url,
                # notices go to the sandbox's gateways: GET /_sandbox/messages (page: /_sandbox/messages/page)
                sms_url=sandbox.sms_url,
                email_url=sandbox.email_url,
                # The demo is for exploring: the schema, the IDE and the metrics are open (`serve` keeps
                # them shut).
                introspection=True,
                graphiql=True,
                # the reference portal (/portal): the supplier's screens, built on operations/
                portal=True,
                # GraphiQL's headers editor starts with this token: the printed URL carries none, so no
                # token lands in an access log
                demo_token=mint_token(
                    base.jwt_secret, DEMO_SUPPLIER, ttl=timedelta(days=7), audience=base.jwt_audience
                ),
                metrics_public=True,
                # the seeded bank loans appear soon after the demo supplier's limit is approved
                **(
                    {}
                    if "BFF_RECONCILE_INTERVAL" in os.environ
                    else {"reconcile_interval": DEMO_RECONCILE_SECONDS}
                ),
                # due-date reminders soon after the demo moves the bank's clock
                **(
                    {}
                    if "BFF_DUE_SOON_INTERVAL" in os.environ
                    else {"due_soon_interval": DEMO_RECONCILE_SECONDS}
                ),
            )
            # The graph runs on the sandbox bank's day, which the demo moves forward to run due dates.
            clock.follow(lambda: (sandbox.state.today - datetime.now(SHANGHAI).date()).days)
            database_note = _start_demo_database_fresh(settings.database_url)
            asyncio.run(db.migrate(settings.database_url))
            _print_demo_banner(settings, f"http://{args.host}:{port}/graphql", sandbox.url, database_note)
            started = _serve_on(settings, listener)
        finally:
            sandbox.stop()
    return 0 if started else STARTUP_FAILURE


def _start_demo_database_fresh(database_url: str) -> str:
    """Empty the demo's SQLite file: the in-process sandbox bank starts from its seed every time, and a BFF
    keeping an earlier demo's admissions and applications would disagree with a bank that never saw them
    (its order pushes refused as SUPPLIER_NOT_FOUND, orders stuck in financing). Another database is kept."""
    if database_url.startswith("sqlite://:memory:"):
        return "in memory"
    path = db.sqlite_file(database_url)
    if path is None:
        return "kept; the sandbox bank starts from its seed, so records of an earlier demo may not match it"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return "started fresh, like the sandbox bank (both from their seed)"


def _print_demo_banner(settings: Settings, url: str, sandbox_url: str, database_note: str) -> None:
    # The server checks the audience when BFF_JWT_AUDIENCE is set; tokens without it would be refused.
    audience = settings.jwt_audience
    token = settings.demo_token or mint_token(
        settings.jwt_secret, DEMO_SUPPLIER, ttl=timedelta(days=7), audience=audience
    )
    operator = mint_token(
        settings.jwt_secret, "OPS", role=Role.OPERATOR, ttl=timedelta(days=7), audience=audience
    )
    print(
        f"\nXinrongbao BFF demo\n"
        f"  GraphiQL:        {url}\n"
        f"  portal:          {url.removesuffix('/graphql')}/portal (the supplier's screens, in Chinese)\n"
        f"  sandbox:         {sandbox_url} (mall, MRO, WeBank)\n"
        f"  database:        {db.redact_url(settings.database_url)} ({database_note})\n\n"
        f"Demo supplier {DEMO_SUPPLIER}; GraphiQL opens with this header in its Headers tab (curl needs it too):\n"
        f'  {{"Authorization": "Bearer {token}"}}\n\n'
        f"Operator token (for supplier(code: ...)):\n  Bearer {operator}\n\n"
        f"First query:\n  {FIRST_QUERY}\n\n"
        f"GraphiQL opens on the entry-point banner's document; the 页面示例 panel offers every page operation\n"
        f"(operations/, listed with their hashes by `bff operations`).\n\n"
        f"The whole product, clicked through (README, 'Click through the demo'):\n"
        f"  agreeToAuthorization → openFinancing → submitHandler → open registrationUrl (the sandbox bank)\n"
        f"  → applyForOrderFinancing → open redirectUrl → startRepayment → open redirectUrl\n"
        f"  Reconciliation with the bank runs now and every {settings.reconcile_interval:.0f} s (log lines "
        f"'reconcile ...'):\n"
        f"  once {DEMO_SUPPLIER} is approved, the bank's seeded loans WBL0001/WBL0002 appear in the graph\n"
        f"  Move the bank's clock to run due dates: the form on a loan's bank page, or\n"
        f"  curl -X POST {sandbox_url}/_sandbox/clock -H 'Content-Type: application/json' -d '{{\"days\": 31}}'\n"
        f"  Notices (viewer.notices) also go by SMS and e-mail to the handler; the sandbox records them:\n"
        f"  {sandbox_url}/_sandbox/messages/page\n",
        flush=True,
    )


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port, set up as uvicorn would bind it itself."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # Listening, not just bound: on Linux another SO_REUSEADDR socket may still bind a port nobody
        # listens on.
        sock.listen(socket.SOMAXCONN)
    except OSError:
        sock.close()
        raise
    return sock


def _listen_error(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use; pass --port"
    return f"cannot listen on {host}:{port} ({exc.strerror or exc}); pass --host or --port"


def _serve_on(settings: Settings, listener: socket.socket) -> bool:
    """Serve the app on an already listening socket until a signal stops it; False if it never started.

    Reconciliation with the bank runs at once (then every `reconcile_interval`): the sandbox bank starts with
    loans of the demo supplier this database never heard of, and the log says what it repaired.
    """
    from bff.app import create_app

    host, port = listener.getsockname()[:2]
    config = uvicorn.Config(
        create_app(settings, reconcile_first_delay=0),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        lifespan="on",
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )
    server = uvicorn.Server(config)
    # as uvicorn.run does: Ctrl+C ends the demo, it is no error
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[listener])
    return server.started


def _run_app(settings: Settings, host: str, port: int) -> None:
    from bff.app import create_app

    # On SIGTERM uvicorn stops accepting, closes websockets with 1012 (service restart: clients reconnect
    # to another instance), waits up to `shutdown_timeout` for in-flight requests, then runs the lifespan
    # shutdown (outbox worker, broker, upstream session, database).
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        lifespan="on",
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


if __name__ == "__main__":
    main()
