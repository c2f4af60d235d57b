"""Demo accounts and their contacts: the customers and prospects the reps already work."""

from __future__ import annotations

import datetime as dt

from baton.accounts.models import Account, BuyerRole, Contact
from baton.accounts.services import create_account, create_contact
from baton.core.choices import CompanySize
from baton.core.models import User
from baton.demo.base import Company, weighted
from baton.demo.people import PeopleWorld
from baton.demo.vocab import (
    BUYER_ROLE_BY_TITLE,
    CONTACT_TITLES,
    DEPARTMENTS,
)


class AccountsWorld(PeopleWorld):
    def build_accounts(self) -> None:
        """Accounts that exist before the year's leads: customers and prospects the AEs work."""
        count = self.n(55)
        parents: list[Account] = []
        for _ in range(count):
            company = self.company()
            owner = self.ae_for(company)
            created = self.days_ago(200, 365)
            parent = None
            if parents and self.rng.random() < 0.06:
                parent = self.rng.choice(parents)
            account = create_account(
                actor=owner,
                owner=owner,
                name=company.name,
                brn=company.brn,
                industry=company.industry,
                region=company.region,
                size=company.size,
                website=f"https://www.{company.domain}",
                phone=company.phone,
                address=company.address,
                parent=parent,
            )
            self.stamp(created)
            self.backdate(Account, account.pk, created_at=created, updated_at=created)
            if company.size in (CompanySize.LARGE, CompanySize.ENTERPRISE):
                parents.append(account)
            self.accounts.append(account)
            self.companies[account.pk] = company
            self.account_created[account.pk] = created
            for _ in range(self.rng.choice([1, 2, 2, 3, 3])):
                self.add_contact(account, company, owner, created)

    def add_contact(self, account: Account, company: Company, owner: User, after: dt.datetime) -> Contact:
        name, local = self.person()
        title = weighted(self.rng, CONTACT_TITLES)
        created = self.between(after, min(after + dt.timedelta(days=60), self.now))
        contact = create_contact(
            actor=owner,
            owner=owner,
            account=account,
            name=name,
            title=title,
            department=self.rng.choice(DEPARTMENTS),
            buyer_role=BUYER_ROLE_BY_TITLE.get(title, BuyerRole.INFLUENCER),
            email=self.email(local, company.domain),
            phone=f"{company.phone[:-4]}{self.rng.randint(0, 9999):04d}",
            mobile=self.mobile(),
        )
        self.stamp(created)
        self.backdate(Contact, contact.pk, created_at=created, updated_at=created)
        return contact
