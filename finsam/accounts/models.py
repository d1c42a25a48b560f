from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A Finsam user. What the user may do comes from ``access.RoleAssignment``."""

    class Meta:
        verbose_name = "användare"
        verbose_name_plural = "användare"

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username
