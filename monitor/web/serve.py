"""Serving the web application with waitress until SIGINT or SIGTERM.

The handlers are installed here, not inherited: a process started in the background by a
shell (`monitor web &` in a script, a CI job, a test runner run that way) begins with SIGINT
ignored, and Python then leaves it ignored; platforms that run the Procfile stop processes
with SIGTERM, whose default ends the process without closing anything. Either signal ends the
server the same way, as the worker does.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType

from flask import Flask
from waitress.server import create_server


def serve(app: Flask, *, host: str, port: int, threads: int) -> None:
    """Listen on ``host:port`` and answer until SIGINT or SIGTERM, then close the socket."""
    logging.basicConfig()  # idempotent: waitress's and our warnings reach stderr
    server = create_server(app, host=host, port=port, threads=threads, ident="monitor")

    def stop(signum: int, frame: FrameType | None) -> None:
        # waitress ends its loop and its request threads on KeyboardInterrupt.
        raise KeyboardInterrupt

    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, stop) for sig in stopping}
    try:
        server.run()
    finally:
        server.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
