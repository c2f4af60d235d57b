"""``baton rotate_field_key``: encrypt every stored secret again with the first BATON_FIELD_KEY.

Put the new passphrase first and keep the old one after a comma (``BATON_FIELD_KEY=new,old``), run this,
then drop the old one.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from baton.security import fields
from baton.security.models import TotpDevice


class Command(BaseCommand):
    help = "Re-encrypt the secrets stored encrypted (TOTP keys) with the first BATON_FIELD_KEY passphrase."

    def handle(self, *args: object, **options: object) -> None:
        count = 0
        with transaction.atomic():
            # values_list reads through the field (plain text); write the raw token with update().
            for pk, secret in TotpDevice.objects.select_for_update().values_list("pk", "secret"):
                TotpDevice.objects.filter(pk=pk).update(secret=fields.encrypt(secret))
                count += 1
        self.stdout.write(f"{count} secret(s) encrypted with the first key.")
