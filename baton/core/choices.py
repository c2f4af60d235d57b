"""Firmographic picklists shared by leads and accounts (Korean regions, industries, company sizes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    FINANCE = "finance", _("Finance and insurance")
    PUBLIC = "public", _("Public sector")
    RETAIL = "retail", _("Retail and distribution")
    IT = "it", _("IT and software")
    TELECOM = "telecom", _("Telecommunications")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    CONSTRUCTION = "construction", _("Construction")
    ENERGY = "energy", _("Energy and utilities")
    LOGISTICS = "logistics", _("Logistics")
    MEDIA = "media", _("Media and entertainment")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    SEOUL = "seoul", _("Seoul")
    GYEONGGI = "gyeonggi", _("Gyeonggi")
    INCHEON = "incheon", _("Incheon")
    BUSAN = "busan", _("Busan")
    DAEGU = "daegu", _("Daegu")
    DAEJEON = "daejeon", _("Daejeon")
    GWANGJU = "gwangju", _("Gwangju")
    ULSAN = "ulsan", _("Ulsan")
    SEJONG = "sejong", _("Sejong")
    GANGWON = "gangwon", _("Gangwon")
    CHUNGCHEONG = "chungcheong", _("Chungcheong")
    JEOLLA = "jeolla", _("Jeolla")
    GYEONGSANG = "gyeongsang", _("Gyeongsang")
    JEJU = "jeju", _("Jeju")
    OVERSEAS = "overseas", _("Overseas")


class CompanySize(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-299", _("50–299 employees")
    LARGE = "300-999", _("300–999 employees")
    ENTERPRISE = "1000+", _("1,000+ employees")
