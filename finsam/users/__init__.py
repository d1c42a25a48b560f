"""User and role management pages (``/anvandare/``): which users an administrator may manage,
with which roles, on which associations and interventions. Above the registry (it lists
associations and interventions to grant roles on); the user model, sign-in and the writes are
``finsam.accounts``."""
