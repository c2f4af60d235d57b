from baton.accounts.models import Contact
from baton.privacy import consent
from baton.privacy.demo import seed
from baton.privacy.models import Consent, RetentionRule


def test_demo_seed_adds_consents_and_a_rule_once(world, root):
    first = seed()
    assert first["consents"] >= 2 and first["rules"] == 1
    assert seed() == {"consents": 0, "rules": 0}
    assert RetentionRule.objects.count() == 1
    contact = Contact.objects.get()
    assert consent.current_state(contact)["marketing_email"].granted is True
    assert Consent.objects.filter(contact=contact).count() >= 1
