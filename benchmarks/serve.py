"""Entry points of the processes a run starts: ``python -m benchmarks.serve KIND ...``.

Each builds the real composition root of its side (the command API, command
worker, projectors, query API) or the baseline, with the run's private
database and topic from the environment, and serves it as production does:
one uvicorn process per API, access log off.
"""

import argparse
import asyncio
import logging
import os
from typing import TYPE_CHECKING

from fastapi import FastAPI

from contracts.read_model import READ_SCHEMA
from infra.http.serving import serve_api
from infra.stop_signals import until_signalled

if TYPE_CHECKING:
    from projections.runtime.projection import Deployment


def _serve(app: FastAPI, port: int) -> None:
    serve_api(app, host="127.0.0.1", port=port, log_level="warning")


def _baseline(args: argparse.Namespace) -> None:
    from benchmarks.baseline.app import create_app  # noqa: PLC0415

    app = create_app(os.environ["BOXOFFICE_DATABASE_URL"], args.availability_ttl, args.dashboard_ttl)
    _serve(app, args.port)


def _query_api(args: argparse.Namespace) -> None:
    from infra.settings import ServiceSettings  # noqa: PLC0415
    from query_api.app import create_app  # noqa: PLC0415
    from query_api.settings import QueryApiSettings  # noqa: PLC0415

    if args.workers > 1:
        # several processes on one socket, as ``boxoffice query-api --workers N`` serves them
        from query_api.serve import serve  # noqa: PLC0415

        serve(QueryApiSettings(host="127.0.0.1", port=args.port), workers=args.workers, log_level="warning")
        return
    _serve(create_app(QueryApiSettings(port=args.port), ServiceSettings()), args.port)


def _command_api(args: argparse.Namespace) -> None:
    if args.workers > 1:
        # several processes on one socket, as ``boxoffice command-api --workers N`` serves them
        from command_side.serve import serve  # noqa: PLC0415

        serve(host="127.0.0.1", port=args.port, workers=args.workers, log_level="warning")
        return
    from command_side.bootstrap import create_app  # noqa: PLC0415
    from command_side.settings import CommandSettings  # noqa: PLC0415

    _serve(create_app(CommandSettings()), args.port)  # the URL comes from the environment


def _command_worker(_: argparse.Namespace) -> None:
    from command_side.bootstrap import build_worker  # noqa: PLC0415
    from command_side.settings import CommandSettings  # noqa: PLC0415

    worker = build_worker(CommandSettings())  # URL and topic from the environment
    asyncio.run(until_signalled(worker.run))


def _projector(args: argparse.Namespace) -> None:
    from projections.bootstrap import build_projector  # noqa: PLC0415
    from projections.catalog import PROJECTIONS  # noqa: PLC0415
    from projections.runtime.projection import Deployment  # noqa: PLC0415
    from projections.settings import ProjectorSettings  # noqa: PLC0415

    unknown = sorted(set(args.projection or ()) - set(PROJECTIONS))
    if unknown:
        known = ", ".join(sorted(PROJECTIONS))
        raise SystemExit(f"unknown projection(s): {', '.join(unknown)}; known: {known}")
    deployments = [
        Deployment(PROJECTIONS[name], f"{args.registry_prefix}_{name}", args.topic, args.views_schema,
                   args.dead_letter_topic)
        for name in sorted(args.projection or PROJECTIONS)
    ]  # fmt: skip
    database_url = os.environ["BOXOFFICE_DATABASE_URL"]
    asyncio.run(_register(deployments, database_url))
    asyncio.run(build_projector(ProjectorSettings(), deployments).serve())  # URLs from the environment


async def _register(deployments: "list[Deployment]", database_url: str) -> None:
    """Create the live versions one after the other: registered together on a fresh database,
    two projections race on CREATE SCHEMA / GRANT of the shared views schema."""
    from psycopg import AsyncConnection  # noqa: PLC0415

    from infra.db import libpq_dsn  # noqa: PLC0415
    from projections.runtime.versions import ensure_live  # noqa: PLC0415

    async with await AsyncConnection.connect(libpq_dsn(database_url), autocommit=True) as conn:
        for deployment in deployments:
            await ensure_live(conn, deployment)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve")
    kinds = parser.add_subparsers(dest="kind", required=True)
    baseline = kinds.add_parser("baseline")
    baseline.add_argument("--port", type=int, required=True)
    baseline.add_argument("--availability-ttl", type=float, required=True)
    baseline.add_argument("--dashboard-ttl", type=float, required=True)
    query_api = kinds.add_parser("query-api")
    query_api.add_argument("--port", type=int, required=True)
    query_api.add_argument("--workers", type=int, default=1, help="uvicorn processes (one app each)")
    command_api = kinds.add_parser("command-api")
    command_api.add_argument("--port", type=int, required=True)
    command_api.add_argument("--workers", type=int, default=1, help="uvicorn processes (one pool each)")
    kinds.add_parser("command-worker")
    projector = kinds.add_parser("projector")
    projector.add_argument("--registry-prefix", required=True)
    projector.add_argument("--topic", required=True)
    projector.add_argument("--dead-letter-topic", required=True)
    projector.add_argument("--views-schema", default=READ_SCHEMA)
    projector.add_argument("--projection", action="append", help="only this projection (repeatable)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    handlers = {
        "baseline": _baseline,
        "query-api": _query_api,
        "command-api": _command_api,
        "command-worker": _command_worker,
        "projector": _projector,
    }
    handlers[args.kind](args)


if __name__ == "__main__":
    main()
