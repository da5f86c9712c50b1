"""Start the mock server: ``python run.py [--host 127.0.0.1] [--port 8080] [--db PATH]``."""

import sys

from mockserver.server import main

if __name__ == "__main__":
    sys.exit(main())
