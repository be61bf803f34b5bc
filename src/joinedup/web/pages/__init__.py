"""The workbench's pages and API endpoints, one module per page type."""

from joinedup.web.pages import session

ROUTERS = [session.router]
