"""Shared helpers of Finsam's pages and forms that depend on Django and the domain core only:
paging (``paging``), send-once tokens (``once``), collecting every form error (``form_errors``) and
the value limits every form gets (``field_limits``). Every app may use them; they import no app."""
