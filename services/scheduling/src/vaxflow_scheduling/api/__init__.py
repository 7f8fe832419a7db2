"""Scheduling's HTTP routes: thin, each a handful of lines over a handler."""

from __future__ import annotations

from fastapi import APIRouter

from vaxflow_scheduling.api import (
    appointments,
    availability,
    campaigns,
    checkins,
    cowin,
    invitations,
    sites,
    stock,
)

ROUTERS: list[APIRouter] = [
    sites.router,
    campaigns.router,
    appointments.router,
    checkins.router,
    invitations.router,
    stock.router,
    availability.router,
    cowin.router,
]
