"""The lists count only what they show: episode counts for the interventions on the page, from one
grouped query (``selectors.episode_counts``), with the same numbers as before (registration
errors left out, open = no end date)."""

from django.urls import reverse

from tests.interchange.conftest import EPISODE_HEADER, episode_rows, write_csv


def test_episode_counts_and_the_pages_that_show_them(world, tmp_path, client):
    from finsam.interchange.importers import import_file
    from finsam.registry import selectors
    from finsam.registry.models import Episode

    path = write_csv(tmp_path / "e.csv", EPISODE_HEADER, episode_rows(3))
    assert import_file("episodes", path).ok
    persons = world["persons"]
    stored = Episode.objects.filter(intervention=persons)
    total, open_ = stored.count(), stored.filter(end_date__isnull=True).count()
    assert total == 3 and 0 < open_ < total
    Episode.objects.filter(pk=stored.filter(end_date__isnull=False).first().pk).update(
        exit_reason="FEL"
    )
    counts = selectors.episode_counts([persons.pk, world["volume"].pk])
    assert counts == {persons.pk: (total - 1, open_)}
    [shown] = selectors.with_episode_counts(
        selectors.intervention_list(user=world["users"]["system_admin"]).filter(pk=persons.pk)
    )
    assert (shown.n_episodes, shown.n_open) == (total - 1, open_)

    client.force_login(world["users"]["system_admin"])
    page = client.get(reverse("intervention_list"))
    assert page.status_code == 200
    listed = {i.pk: (i.n_episodes, i.n_open) for i in page.context["interventions"]}
    assert listed[persons.pk] == (total - 1, open_)
    assert listed[world["volume"].pk] == (0, 0)
    assert page.context["page_summary"].endswith(f"av {len(listed)}")
    detail = client.get(reverse("intervention_detail", args=[persons.pk]))
    assert detail.context["counts"] == {"n_episodes": total - 1, "n_open": open_}


def test_the_start_page_shows_at_most_50_handler_interventions(world, client):
    from finsam.access.models import InterventionAssignment
    from finsam.registry.models import Intervention
    from finsam.web.views import SHOWN

    handler = world["users"]["participant_handler"]
    base = world["persons"]
    for n in range(SHOWN + 1):
        extra = Intervention.objects.create(
            association=base.association,
            code=f"EXTRA-{n:03d}",
            name=f"Extra {n:03d}",
            orientation=base.orientation,
            registration=base.registration,
            start_date=base.start_date,
        )
        InterventionAssignment.objects.create(user=handler, intervention=extra, kind="handler")
    client.force_login(handler)
    page = client.get("/")
    assert len(page.context["handler_interventions"]) == SHOWN
    assert page.context["handler_more"] is True
    assert reverse("intervention_list").encode() in page.content
