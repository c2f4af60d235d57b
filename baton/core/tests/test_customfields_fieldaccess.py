"""Custom fields' read and edit roles are decided by field protection (core.fieldaccess), the one module
that says who sees and sets a field; the behaviour is the one custom fields had."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import AnonymousUser

from baton.core import fieldaccess
from baton.core.customfields.models import CustomField
from baton.core.customfields.schema import can_edit_field, can_read_field
from baton.core.models import Role


def test_custom_field_roles_follow_fieldaccess(personas):
    alice, mina, root = personas["alice"], personas["mina"], personas["root"]
    role_lists = [[], [Role.SALES_MANAGER], [Role.FIELD_SALES, Role.SALES_MANAGER], [Role.MARKETING]]
    for read_roles, edit_roles in itertools.product(role_lists, repeat=2):
        field = CustomField(key="budget_code", read_roles=read_roles, edit_roles=edit_roles)
        for user in (alice, mina, root, AnonymousUser()):
            assert can_read_field(user, field) == fieldaccess.may_read_custom(user, read_roles)
            assert can_edit_field(user, field) == fieldaccess.may_edit_custom(user, read_roles, edit_roles)

    # The rule, by hand: empty = everyone signed in or not; a list = administrators and those roles;
    # editing needs reading; a system write (no user) may always set the field.
    managers_only = CustomField(key="margin_note", read_roles=[Role.SALES_MANAGER], edit_roles=[])
    assert not can_read_field(alice, managers_only) and can_read_field(mina, managers_only)
    assert can_read_field(root, managers_only) and not can_read_field(AnonymousUser(), managers_only)
    assert not can_edit_field(alice, managers_only) and can_edit_field(mina, managers_only)
    assert can_edit_field(None, managers_only)
    open_field = CustomField(key="region_code", read_roles=[], edit_roles=[Role.MARKETING])
    assert can_read_field(alice, open_field) and can_read_field(AnonymousUser(), open_field)
    assert not can_edit_field(alice, open_field) and can_edit_field(root, open_field)
