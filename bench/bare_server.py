"""A bare Flask app answering ``1`` on /api/track, served exactly as run.py serves the mock
(waitress, same threads and limits): the baseline of bench_http.py."""

from __future__ import annotations

import argparse
import logging
import sys

import waitress
from flask import Flask

from mockserver.server import MAX_REQUEST_LINE


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    app = Flask("bare")

    @app.route("/api/track", methods=["GET", "POST"])
    def track() -> str:
        return "1"

    server = waitress.create_server(
        app, host="127.0.0.1", port=args.port, threads=args.threads, ident="bare",
        max_request_header_size=MAX_REQUEST_LINE,
    )  # fmt: skip
    logging.basicConfig(level=logging.WARNING)
    print(
        f"bare listening on http://127.0.0.1:{server.effective_port}", file=sys.stderr, flush=True
    )
    try:
        server.run()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
