"""docs/access.md must describe every access command, permission and role."""

from pathlib import Path

import pytest
import typer

from joinedup.access.roles import ROLE_PERMISSIONS, Permission
from joinedup.cli.access import audit_app, user_app
from joinedup.pole import AuditCategory

DOC = (Path(__file__).parents[2] / "docs" / "access.md").read_text(encoding="utf-8")


def commands(group: str, sub_app: typer.Typer) -> list[str]:
    return [
        f"joinedup {group} {c.name or c.callback.__name__}" for c in sub_app.registered_commands
    ]


@pytest.mark.parametrize("command", commands("user", user_app) + commands("audit", audit_app))
def test_every_command_is_documented(command: str) -> None:
    assert f"`{command}" in DOC


@pytest.mark.parametrize("permission", list(Permission))
def test_every_permission_is_in_the_table(permission: Permission) -> None:
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{permission}` |"))
    ticks = [cell.strip() == "✓" for cell in row.split("|")[4:-1]]
    roles = ["admin", "analyst", "supervisor", "researcher", "auditor"]
    documented = {role for role, tick in zip(roles, ticks, strict=True) if tick}
    assert documented == {str(r) for r, perms in ROLE_PERMISSIONS.items() if permission in perms}


@pytest.mark.parametrize("category", list(AuditCategory))
def test_every_s62_category_is_explained(category: AuditCategory) -> None:
    assert f"| {category} |" in DOC
