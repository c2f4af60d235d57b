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


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """A URL that receives signed POSTs for the chosen event types."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
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
