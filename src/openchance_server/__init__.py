"""The OpenChance HTTP server: a FastAPI app built from an ``OpenChance`` installation.

from openchance_server import create_app, serve
"""

from openchance_server.app import create_app
from openchance_server.runner import serve

__all__ = ["create_app", "serve"]
