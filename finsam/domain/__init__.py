"""The pure-Python domain core: rules, code lists and calculations.

Nothing in this package may import Django (a test enforces it). Django apps translate between the
database and these plain functions and dataclasses.
"""
