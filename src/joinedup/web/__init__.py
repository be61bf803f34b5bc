"""The analyst workbench: a FastAPI app (pages and a REST API) over the domain modules.

No queries or rules live here: pages call joinedup.search, joinedup.resolve, joinedup.access
(and network, detect, stats) and render what they return. Import `create_app` from here.
"""

from joinedup.web.app import create_app
from joinedup.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
