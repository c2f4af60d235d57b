"""Forms of the account and contact pages: they parse input; the services validate and write."""

from __future__ import annotations

from baton.accounts.models import Account, Contact
from baton.accounts.queries import accounts_for
from baton.core.models import User
from baton.core.views_generic import LookupSelect, ServiceModelForm, assignable_owners


class AccountForm(ServiceModelForm):
    class Meta:
        model = Account
        fields = [
            "name",
            "brn",
            "industry",
            "region",
            "size",
            "website",
            "phone",
            "address",
            "parent",
            "owner",
            "description",
        ]
        widgets = {"parent": LookupSelect("accounts:lookup")}

    def limit_choices(self, user: User) -> None:
        parents = accounts_for(user).filter(is_archived=False)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.model_choice_field("parent").queryset = parents
        self.model_choice_field("owner").queryset = assignable_owners(user, self.instance.owner_id)
        self.fields["owner"].required = True
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk


class ContactForm(ServiceModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "account",
            "title",
            "department",
            "buyer_role",
            "email",
            "phone",
            "mobile",
            "owner",
            "notes",
        ]
        widgets = {"account": LookupSelect("accounts:lookup")}

    def limit_choices(self, user: User) -> None:
        self.model_choice_field("account").queryset = accounts_for(user).filter(is_archived=False)
        self.model_choice_field("owner").queryset = assignable_owners(user, self.instance.owner_id)
        self.fields["owner"].required = True
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk
