"""The workbench's pages and API endpoints, one module per page type."""

from joinedup.web.pages import (
    audit,
    chart,
    dashboard,
    entity,
    flags,
    review,
    search,
    session,
    stats,
    users,
)

ROUTERS = [
    session.router,
    dashboard.router,
    search.router,
    entity.router,
    chart.router,
    review.router,
    flags.router,
    stats.router,
    audit.router,
    users.router,
]
