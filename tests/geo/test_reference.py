import csv

from finsam.geo.models import County, District, Municipality
from tests.conftest import FIXTURES


def test_all_municipalities_and_counties_are_loaded_with_official_codes(db):
    with (FIXTURES / "reference" / "municipalities.csv").open(encoding="utf-8") as fh:
        expected = {r["municipality_code"]: r for r in csv.DictReader(fh)}
    assert Municipality.objects.count() == 290 == len(expected)
    assert County.objects.count() == 21
    for m in Municipality.objects.all():
        assert m.name == expected[m.code]["municipality_name"]
        assert m.county_id == m.code[:2] == expected[m.code]["county_code"]


def test_districts_exist_for_stockholm_and_goteborg(db):
    assert set(District.objects.values_list("municipality_id", flat=True)) == {"0180", "1480"}
    assert District.objects.filter(municipality_id="0180").count() == 13
