"""The workbench's pages and API endpoints, one module per page type."""

from joinedup.web.pages import entity, search, session

ROUTERS = [session.router, search.router, entity.router]
