"""REST endpoints of the activities app, mounted under /api/v1/ by baton/api.py."""

from ninja import Router

router = Router()
