"""Entry points of the processes a test deployment runs, built from the composition roots.

``python -m tests.reliability.harness.serve command-api --port P`` (and
``command-worker``, ``query-api``) runs exactly what ``create_app`` and
``build_worker`` build, configured by ``BOXOFFICE_*`` variables, with logging
at INFO and uvicorn's access log on, so that the log-secrecy checks see
everything an operator would.
"""

import argparse
import asyncio
import logging
import signal

import uvicorn

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def _command_api(port: int) -> None:
    from command_side.bootstrap import create_app  # noqa: PLC0415
    from command_side.settings import CommandSettings  # noqa: PLC0415

    app = create_app(CommandSettings())  # type: ignore[call-arg]  # database_url comes from the env
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info", access_log=True)


def _query_api(port: int) -> None:
    from infra.settings import ServiceSettings  # noqa: PLC0415
    from query_api.app import create_app  # noqa: PLC0415
    from query_api.settings import QueryApiSettings  # noqa: PLC0415

    app = create_app(QueryApiSettings(port=port), ServiceSettings())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info", access_log=True)


async def _command_worker() -> None:
    from command_side.bootstrap import build_worker  # noqa: PLC0415
    from command_side.settings import CommandSettings  # noqa: PLC0415

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await build_worker(CommandSettings()).run(stop)  # type: ignore[call-arg]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("process", choices=["command-api", "command-worker", "query-api"])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    if args.process == "command-api":
        _command_api(args.port)
    elif args.process == "query-api":
        _query_api(args.port)
    else:
        asyncio.run(_command_worker())


if __name__ == "__main__":
    main()
