"""A tiny, real OpenID Connect provider for the e-ID sign-in tests (django-oidc-provider).

Started by ``tests/accounts/conftest.py`` in a separate process on 127.0.0.1 with its own
settings and SQLite file; it stands in for an e-ID broker (Freja/BankID/SITHS behind OIDC) and
puts a test personal identity number in the ID token under the Swedish OIDC profile's claim.
Never imported by Finsam itself.
"""
