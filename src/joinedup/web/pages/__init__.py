"""The workbench's pages and API endpoints, one module per page type."""

from joinedup.web.pages import chart, entity, review, search, session

ROUTERS = [session.router, search.router, entity.router, review.router, chart.router]
