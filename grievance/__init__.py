"""Samleng: grievance and social-accountability case management.

Importing this package loads nothing else: `grievance.app.create_app` builds the app.
"""
