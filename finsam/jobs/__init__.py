"""Background jobs: long work (imports, evaluations, exports) queued in the database and run by
``finsam db_worker``, with a progress page per job (``docs/operations.md``)."""
