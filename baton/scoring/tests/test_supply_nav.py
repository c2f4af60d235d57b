"""The supply queue is offered in the menu only to the roles that may open it (the rest got a 403)."""

from __future__ import annotations


def test_supply_link_only_for_roles_that_supply(client, cast):
    for name, shown in (("ines", True), ("mina", True), ("root", True), ("charlie", False), ("mark", False)):
        client.force_login(cast[name])
        body = client.get("/").content.decode()
        assert ('data-testid="nav-supply"' in body) is shown, name
