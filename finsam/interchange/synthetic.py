"""A realistic synthetic national data set in the interchange file formats (``finsam demo-data``).

Up to ~80 associations over the real 290 municipalities, their members, interventions of every
kind, episodes with plausible distributions and volume counts. Shares follow the published
national tables (``tests/fixtures/published``: e.g. 54 % women, 37 % under 30 at start, 40 % more
than three years on public support, 34 % at most compulsory school); about 15 % of episodes are
anonymous and about 8 % of identified episodes are a person's second episode. Deterministic for a
seed; vectorised with numpy (a million episodes in well under a minute). No Django: the bench uses
it without a database. Personal numbers are Luhn-valid synthetic numbers, unique per person.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from finsam.domain import codelists as cl
from finsam.domain import safe_cells
from finsam.interchange.formats import FORMATS

MUNICIPALITIES_CSV = Path(__file__).resolve().parents[1] / "data" / "municipalities.csv"
EPOCH = date(1970, 1, 1)

SUPPORT_BEFORE = {
    "FSS": 30,
    "AKS": 18,
    "SJP": 14,
    "AKE": 10,
    "ING": 12,
    "AKA": 4,
    "SJE": 3,
    "ETA": 4,
    "AOF": 3,
    "STU": 2,
}
EXIT_REASONS = {
    "ARB": 24,
    "STU": 10,
    "REH": 18,
    "SJK": 10,
    "FOR": 2,
    "FLY": 5,
    "AVB": 8,
    "UTU": 5,
    "OVR": 17,
    "FEL": 1,
}
TIME_ON_SUPPORT = {"NONE": 8, "LT1": 22, "1TO3": 25, "3TO9": 25, "GE9": 15, "SAK": 5}
EDUCATION = {"GRU_LT": 8, "GRU": 26, "GYM": 47, "EFT": 14, "SAK": 5}
OCCUPATION_BEFORE = {"ARS": 35, "OVR": 50, "ARB": 5, "STU": 5, "SAK": 5}
AGE_BANDS = ((16, 19, 10), (20, 24, 17), (25, 29, 10), (30, 39, 22), (40, 49, 21), (50, 64, 20))
SEX = (("K", 0.535), ("M", 0.45), ("X", 0.015))
ANONYMOUS_SHARE = 0.15
REPEAT_SHARE = 0.08


@dataclass
class Municipality:
    code: str
    name: str
    county: str


def municipalities() -> list[Municipality]:
    with open(MUNICIPALITIES_CSV, encoding="utf-8") as fh:
        return [
            Municipality(r["municipality_code"], r["municipality_name"], r["county_code"])
            for r in csv.DictReader(fh)
        ]


def _choice(rng: np.random.Generator, weights: dict[str, int], n: int) -> np.ndarray:
    codes = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def _org_number(serial: int) -> str:
    """A valid organisation number of a local federation (group 2, 222xxx-xxxx)."""
    from stdnum import luhn

    base = f"222{serial:06d}"
    return f"{base[:6]}-{base[6:]}{luhn.calc_check_digit(base)}"


def _luhn_digits(digits: np.ndarray) -> np.ndarray:
    """Check digit for each row of a (n, 9) digit array (Swedish personal number rule)."""
    weights = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    products = digits * weights
    total = (products // 10 + products % 10).sum(axis=1)
    return (10 - total % 10) % 10


def personal_numbers(
    rng: np.random.Generator, birth_days: np.ndarray, sexes: np.ndarray
) -> np.ndarray:
    """Unique, Luhn-valid 12-digit numbers ``YYYYMMDD-NNNC`` for birth days (days since 1970)."""
    n = len(birth_days)
    serial = rng.integers(0, 500, size=n) * 2 + 1  # odd = man
    serial = np.where(sexes == "K", serial - 1, serial)
    dates = (np.datetime64("1970-01-01") + birth_days.astype("timedelta64[D]")).astype(str)
    ymd = np.char.replace(dates.astype("U10"), "-", "")
    for _ in range(20):  # re-draw serials that collide
        keys = np.char.add(ymd, serial.astype("U3"))
        _, first, counts = np.unique(keys, return_index=True, return_counts=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        serial[dup] = rng.integers(0, 500, size=dup.sum()) * 2 + np.where(sexes[dup] == "K", 0, 1)
        del counts
    serial_text = np.char.zfill(serial.astype("U3"), 3)
    ten = np.char.add(np.array([s[2:] for s in ymd.tolist()], dtype="U6"), serial_text)
    digits = np.frombuffer("".join(ten.tolist()).encode(), dtype=np.uint8).reshape(n, 9) - 48
    check = _luhn_digits(digits.astype(int)).astype("U1")
    return np.char.add(np.char.add(np.char.add(ymd, "-"), serial_text), check)


def _days(d: date) -> int:
    return (d - EPOCH).days


def _iso(days: np.ndarray) -> np.ndarray:
    return (np.datetime64("1970-01-01") + days.astype("timedelta64[D]")).astype(str)


def generate(
    out_dir: Path | str,
    *,
    associations: int = 80,
    episodes: int = 100_000,
    seed: int = 2026,
    today: date | None = None,
) -> dict[str, int]:
    """Write the seven registry files into ``out_dir``; returns the row count of each."""
    today = today or date.today()
    last_day = today - timedelta(days=1)
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    munis = municipalities()
    associations = max(1, min(associations, 120))

    # Associations: each covers neighbouring municipalities of one county; ~85 % are covered.
    covered = [m for m in munis if rng.random() < 0.87] or munis
    groups = np.array_split(np.arange(len(covered)), associations)
    assoc_rows, area_rows, member_rows = [], [], []
    assoc_info = []
    for n, idx in enumerate(groups, start=1):
        if len(idx) == 0:
            continue
        area = [covered[i] for i in idx]
        code = f"SF{n:02d}"
        start = date(2005 + int(rng.integers(0, 14)), int(rng.integers(1, 13)), 1)
        seat = area[0]
        name = f"Samordningsförbundet {seat.name}" + (" med flera" if len(area) > 1 else "")
        assoc_rows.append([code, name, _org_number(n), start.isoformat(), "", seat.code])
        for m in area:
            area_rows.append([code, m.code, start.isoformat(), ""])
        member_rows += [
            [code, "FK", "FK", "Försäkringskassan"],
            [code, "AF", "AF", "Arbetsförmedlingen"],
            [code, "REGION", seat.county, f"Region {seat.county}"],
        ]
        member_rows += [[code, "MUNICIPALITY", m.code, f"{m.name} kommun"] for m in area]
        assoc_info.append((code, start, [m.code for m in area], len(area)))

    # Interventions: individual/persons mostly, some structural/volume.
    target_codes = [c.code for c in cl.TARGET_GROUP.codes]
    intv_rows, person_intv, volume_intv = [], [], []
    for code, start, area, size in assoc_info:
        count = int(rng.integers(4, 8)) + min(size, 8)
        for k in range(1, count + 1):
            icode = f"{code}-I{k:02d}"
            first = max(start, date(2012, 1, 1))
            span = max((last_day - first).days - 200, 30)
            i_start = first + timedelta(days=int(rng.integers(0, span)))
            i_start = i_start.replace(day=1)
            ended = rng.random() < 0.25
            i_end = None
            if ended:
                i_end = i_start + timedelta(days=int(rng.integers(365, 365 * 4)))
                if i_end >= last_day:
                    i_end = None
            volume = rng.random() < 0.15
            groups_ = ";".join(sorted(set(rng.choice(target_codes, size=int(rng.integers(1, 3))))))
            intv_rows.append(
                [
                    icode,
                    code,
                    f"Insats {k} i {code}",
                    "structural" if volume else "individual",
                    "volume" if volume else "persons",
                    i_start.isoformat(),
                    i_end.isoformat() if i_end else "",
                    "FK;AF",
                    groups_,
                    "1" if rng.random() < 0.1 else "0",
                    str(int(rng.integers(10, 200))),
                ]
            )
            (volume_intv if volume else person_intv).append((icode, i_start, i_end, area))

    # Episodes.
    n = episodes
    weights = rng.pareto(1.5, size=len(person_intv)) + 0.2
    which = rng.choice(len(person_intv), size=n, p=weights / weights.sum())
    i_start = np.array([_days(max(p[1], date(2015, 1, 1))) for p in person_intv])
    i_last = np.array([_days(min(p[2] or last_day, last_day)) for p in person_intv])
    i_start = np.minimum(i_start, i_last)
    lo, hi = i_start[which], i_last[which]
    start = lo + (rng.random(n) * (hi - lo + 1)).astype(int)
    sex = np.array([s for s, _ in SEX], dtype=object)[
        rng.choice(len(SEX), size=n, p=[p for _, p in SEX])
    ]
    band = rng.choice(len(AGE_BANDS), size=n, p=np.array([b[2] for b in AGE_BANDS]) / 100)
    age = np.array([b[0] for b in AGE_BANDS])[band] + (
        rng.random(n) * (np.array([b[1] - b[0] + 1 for b in AGE_BANDS])[band])
    ).astype(int)
    birth = start - age * 365 - rng.integers(0, 365, size=n) - age // 4
    anonymous = rng.random(n) < ANONYMOUS_SHARE
    identified_sex = np.where(sex == "X", np.where(rng.random(n) < 0.5, "K", "M"), sex)
    numbers = personal_numbers(rng, birth, identified_sex.astype(str))
    # Repeat participants: some identified episodes reuse an earlier person, in another
    # intervention (the overlap rule is per intervention).
    ident_idx = np.flatnonzero(~anonymous)
    n_repeat = int(len(ident_idx) * REPEAT_SHARE)
    if n_repeat and len(person_intv) > 1:
        chosen = rng.choice(ident_idx, size=2 * n_repeat, replace=False)
        src, dst = chosen[:n_repeat], chosen[n_repeat:]
        numbers[dst] = numbers[src]
        birth[dst] = birth[src]
        sex[dst] = identified_sex[src]
        same = which[dst] == which[src]
        which[dst[same]] = (which[dst[same]] + 1) % len(person_intv)
        lo, hi = i_start[which[dst]], i_last[which[dst]]
        start[dst] = lo + (rng.random(n_repeat) * (hi - lo + 1)).astype(int)
    birth_year = (np.datetime64("1970-01-01") + birth.astype("timedelta64[D]")).astype(
        "datetime64[Y]"
    ).astype(int) + 1970
    # Duration: log-normal, median ~ 8 months; open when the end would be after yesterday.
    duration = np.exp(rng.normal(np.log(240), 0.7, size=n)).astype(int) + 14
    end = start + duration
    end = np.minimum(end, i_last[which])
    closed = (end < _days(last_day)) & (end >= start)
    exit_reason = _choice(rng, EXIT_REASONS, n)
    support1 = _choice(rng, SUPPORT_BEFORE, n)
    second = _choice(rng, {k: v for k, v in SUPPORT_BEFORE.items() if k != "ING"}, n)
    two = (rng.random(n) < 0.15) & (support1 != "ING") & (second != support1)
    support_before = np.where(
        two,
        np.char.add(np.char.add(support1.astype(str), ";"), second.astype(str)),
        support1.astype(str),
    )
    after = np.where(
        np.isin(exit_reason, ["ARB"]),
        "ING",
        np.where(exit_reason == "STU", "STU", support1.astype(str)),
    )
    after = np.where(rng.random(n) < 0.05, "SAK", after)
    work_after = np.where(exit_reason == "ARB", rng.integers(16, 41, size=n), 0)
    study_after = np.where(exit_reason == "STU", rng.integers(20, 41, size=n), 0)
    work_before = np.where(rng.random(n) < 0.08, rng.integers(4, 21, size=n), 0)
    tos = _choice(rng, TIME_ON_SUPPORT, n)
    edu = _choice(rng, EDUCATION, n)
    occ = _choice(rng, OCCUPATION_BEFORE, n)
    home_area = rng.random(n) < 0.97
    all_codes = np.array([m.code for m in munis])
    areas = [np.array(p[3]) for p in person_intv]
    pick = rng.random(n)
    protected = anonymous & (rng.random(n) < 0.01)

    start_iso, end_iso = _iso(start), _iso(end)
    random_home = all_codes[rng.integers(0, len(all_codes), size=n)]
    header = FORMATS["episodes"].columns
    followups = []
    with open(out / "episodes.csv", "w", encoding="utf-8", newline="") as fh:
        # generated codes, dates and numbers only: nothing can start a formula (safe_cells)
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for j in range(n):
            intv = person_intv[which[j]]
            area = areas[which[j]]
            home = area[int(pick[j] * len(area))] if home_area[j] else random_home[j]
            is_closed = bool(closed[j])
            key = f"S{seed}-{j + 1:07d}"
            if anonymous[j]:
                ident = ["", "", "1" if protected[j] else "", sex[j], str(birth_year[j])]
            else:
                ident = [numbers[j], start_iso[j], "", "", ""]
            reason = exit_reason[j] if is_closed else ""
            writer.writerow(
                [
                    key,
                    intv[0],
                    *ident,
                    home,
                    start_iso[j],
                    support_before[j],
                    occ[j],
                    tos[j],
                    edu[j],
                    end_iso[j] if is_closed else "",
                    reason,
                    after[j] if is_closed else "",
                    ("ARB" if reason == "ARB" else "STU" if reason == "STU" else "ARS")
                    if is_closed
                    else "",
                    str(work_after[j]) if is_closed else "",
                    str(study_after[j]) if is_closed else "",
                    str(work_before[j]),
                    "0",
                ]
            )
            if is_closed and reason != "FEL" and end[j] + 200 < _days(last_day) and pick[j] < 0.3:
                followups.append(
                    [
                        key,
                        "6",
                        "ING" if reason == "ARB" else after[j],
                        "ARB" if reason == "ARB" else "SAK",
                        "",
                        "",
                    ]
                )

    volume_rows = []
    for icode, s, e, _area in volume_intv:
        # Monthly counts for the last three years of the intervention's life.
        month = max(s, min(e or last_day, last_day) - timedelta(days=3 * 365)).replace(day=1)
        stop = min(e or last_day, last_day)
        while month <= stop:
            lam = 12
            volume_rows.append(
                [
                    icode,
                    month.strftime("%Y-%m"),
                    str(rng.poisson(lam)),
                    str(rng.poisson(lam * 0.85)),
                    str(rng.poisson(0.3)),
                ]
            )
            month = (month + timedelta(days=32)).replace(day=1)

    files = {
        "associations": assoc_rows,
        "association-municipalities": area_rows,
        "members": member_rows,
        "interventions": intv_rows,
        "volume": volume_rows,
        "followups": followups,
    }
    counts = {"episodes": n}
    for kind, rows in files.items():
        file_format = FORMATS[kind]
        with open(out / file_format.file_name, "w", encoding="utf-8", newline="") as fh:
            writer = safe_cells.writer(fh, lineterminator="\n")
            writer.writerow(file_format.columns)
            writer.writerows(rows)
        counts[file_format.file_name.removesuffix(".csv")] = len(rows)
    return counts


LOAD_ORDER = (
    "associations",
    "association-municipalities",
    "members",
    "interventions",
    "episodes",
    "volume",
    "followups",
)
