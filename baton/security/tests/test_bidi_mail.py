"""Bidi controls are stripped from what arrives outside HTTP forms too: the subject and the attachment
file names of mail received by the inbound logging receiver ("invoice\u202egpj.exe")."""

from __future__ import annotations

from email.message import EmailMessage as Mime

from baton.activities import mail
from baton.activities.models import Activity, Attachment


def test_inbound_mail_subject_and_file_names_lose_bidi_controls(personas, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BATON_INBOUND_DOMAIN = "log.baton.test"
    alice = personas["alice"]
    world["contact"].refresh_from_db()
    msg = Mime()
    msg["From"], msg["To"] = world["contact"].email, "alice@baton.test"
    msg["Subject"] = "Quote \u202eFDP.exe\u202c for \u2067you\u2069"
    msg["Message-ID"] = "<bidi-1@x>"
    msg.set_content("see attached")
    msg.add_attachment(b"MZ", maintype="application", subtype="octet-stream", filename="invoice\u202egpj.exe")
    stored = mail.log_inbound_email(msg.as_bytes(), rcpt_tos=[mail.logging_address(alice)])
    assert stored.status == "logged"
    assert stored.subject == "Quote FDP.exe for you"
    assert Activity.objects.get(pk=stored.activity_id).subject == "Quote FDP.exe for you"
    attachment = Attachment.objects.get(email=stored)
    assert attachment.name == "invoicegpj.exe"
    assert "\u202e" not in attachment.file.name
