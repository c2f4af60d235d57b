"""Outbound webhooks: the endpoints an administrator registers, the deliveries queued for them (one per
event and endpoint, written in the transaction of the write that caused it) and every attempt made."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """The webhook event codes (stable: receivers switch on them), each fed by a typed event of core."""

    LEAD_CREATED = "lead.created", _("Lead created")
    LEAD_CHANGED = "lead.changed", _("Lead changed (edited or an interaction logged)")
    LEAD_CONVERTED = "lead.converted", _("Lead converted")
    STAGE_CHANGED = "opportunity.stage_changed", _("Opportunity stage changed")
    OPPORTUNITY_WON = "opportunity.won", _("Opportunity won")
    OPPORTUNITY_LOST = "opportunity.lost", _("Opportunity lost")
    RECORD_CHANGED = "record.changed", _("Record changed (lead, account, contact, opportunity)")
    AUTOMATION = "automation.rule", _("Sent by an automation rule's “call a webhook” action")


#: What an endpoint can subscribe to (``automation.rule`` is sent only by a rule that names the endpoint).
SUBSCRIBABLE = [value for value in EventType.values if value != EventType.AUTOMATION]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """A URL that receives signed POSTs for the chosen event types."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)  # set by the services
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One event for one endpoint; the worker claims it, sends it, and retries it with backoff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        PARKED = "parked", _("Parked (gave up)")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"


class Attempt(models.Model):
    """One HTTP request made for a delivery (written once per attempt, whatever its outcome)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique")]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}"


def new_form_token() -> str:
    return secrets.token_urlsafe(18)


class WebForm(models.Model):
    """A public lead-capture form: its fields, where its leads come from, what the visitor sees after
    sending, which sites may post it, and whether it asks for marketing consent. Its ``token`` is the
    public key in its URL (the form is CSRF-exempt: it is posted from other sites)."""

    FIELD_CHOICES = [
        ("company", _("company")),
        ("title", _("job title")),
        ("email", _("email")),
        ("phone", _("phone")),
        ("website", _("website")),
        ("industry", _("industry")),
        ("region", _("region")),
        ("size", _("size")),
        ("description", _("message")),
    ]

    name = models.CharField(_("name"), max_length=120)
    token = models.CharField(max_length=40, unique=True, editable=False)  # set by the services
    fields = models.JSONField(_("fields"), default=list, blank=True)  # besides "name", always asked
    source = models.CharField(_("lead source"), max_length=20, default="web_form")
    campaign = models.ForeignKey(
        "leads.Campaign", verbose_name=_("campaign"), null=True, blank=True, on_delete=models.SET_NULL
    )
    route = models.BooleanField(_("route new leads by the routing rules"), default=True)
    thank_you_url = models.URLField(_("thank-you page URL"), max_length=500, blank=True)
    thank_you_message = models.CharField(_("thank-you message"), max_length=500, blank=True)
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_("One per line, e.g. https://www.example.co.kr; blank: any."),
    )
    consent_text = models.CharField(
        _("consent checkbox text"),
        max_length=500,
        blank=True,
        help_text=_("Blank: the form asks for no consent."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name

    def origins(self) -> list[str]:
        return [o.strip().rstrip("/").lower() for o in self.allowed_origins.splitlines() if o.strip()]
