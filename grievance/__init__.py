"""Samleng: grievance and social-accountability case management."""

from grievance.app import create_app

__all__ = ["create_app"]
