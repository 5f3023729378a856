# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""EventBridge Scheduler schedule expressions: validation, the weekly times of a simple cron, the next runs.

Pure Python (no boto3, no Ansible), so the module, the roles' filters and the unit tests share it.

The rules are AWS's, from "Schedule types on EventBridge Scheduler"
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):

* ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``, six fields separated by white space:

  ============  =================  ===============
  field         values             wildcards
  ============  =================  ===============
  Minutes       0-59               , - * /
  Hours         0-23               , - * /
  Day-of-month  1-31               , - * ? / L W
  Month         1-12 or JAN-DEC    , - * /
  Day-of-week   1-7 or SUN-SAT     , - * ? L #
  Year          1970-2199          , - * /
  ============  =================  ===============

  One of Day-of-month and Day-of-week must be ``?``, not both ("if you specify a value or a * in one of the fields,
  you must use a ? in the other"). Day-of-week counts from 1 = SUN. ``L`` is the last day of the month (Day-of-month)
  or, after a day, the last such weekday of the month (``6L``); ``15W`` is the weekday nearest the 15th; ``3#2`` is
  the second Tuesday, and a Day-of-week with ``#`` holds that one expression only.
* ``rate(value unit)``: a positive whole number and ``minute``, ``minutes``, ``hour``, ``hours``, ``day`` or ``days``
  (singular only with 1, plural otherwise).
* ``at(yyyy-mm-ddThh:mm:ss)``: one run, at that wall-clock time in the schedule's time zone.
* The time zone is an IANA name (``ScheduleExpressionTimezone``, default UTC). On daylight saving changes a cron run
  that falls in the skipped hour is skipped, and one in the repeated hour runs once.

Stricter than AWS in one place: a descending range (``22-2``, ``FRI-MON``) is refused with the two ranges to write
instead, since AWS does not document wrap-around ranges.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

CRON_EXAMPLE = "cron(0 22 ? * MON-FRI *) (22:00 Monday to Friday) or cron(30 9 1 * ? *) (09:30 on the 1st of each month)"
RATE_EXAMPLE = "rate(1 hour) or rate(15 minutes)"
AT_EXAMPLE = "at(2026-12-24T18:00:00)"
EXPRESSION_EXAMPLES = f"{CRON_EXAMPLE}, {RATE_EXAMPLE}, {AT_EXAMPLE}"

MONTH_NAMES = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
WEEKDAY_NAMES = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}

# name, lowest, highest, names, wildcards besides "," "-" "*" (in AWS's order of fields)
CRON_FIELDS = (
    ("Minutes", 0, 59, {}, "/"),
    ("Hours", 0, 23, {}, "/"),
    ("Day-of-month", 1, 31, {}, "?/LW"),
    ("Month", 1, 12, MONTH_NAMES, "/"),
    ("Day-of-week", 1, 7, WEEKDAY_NAMES, "?L#"),
    ("Year", 1970, 2199, {}, "/"),
)
MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR = range(6)

_EXPRESSION = re.compile(r"^(cron|rate|at)\((.*)\)$", re.DOTALL)
_RATE = re.compile(r"^(\d+) ([a-z]+)$")
_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_STEP = re.compile(r"^(.+)/(\d+)$")
_NEAREST_WEEKDAY = re.compile(r"^(\d+)W$")
_LAST_WEEKDAY = re.compile(r"^(\w+)L$")
_NTH_WEEKDAY = re.compile(r"^(\w+)#(\d+)$")


class ScheduleExpressionError(ValueError):
    """What is wrong with a schedule expression or time zone, and an example of the right form."""


# --- validation ----------------------------------------------------------------------------------------------


def validate_schedule_expression(expression) -> str:
    """The kind of a valid expression (``cron``, ``rate`` or ``at``); ScheduleExpressionError says what is wrong."""
    kind = _split_expression(expression)[0]
    if kind == "cron":
        parse_cron(expression)
    elif kind == "rate":
        parse_rate(expression)
    else:
        parse_at(expression)
    return kind


def validate_timezone(name) -> str:
    """The IANA time zone name itself; ScheduleExpressionError when it is not one."""
    if not isinstance(name, str) or not name:
        raise ScheduleExpressionError("the time zone must be an IANA time zone name, for example UTC or Asia/Tokyo")
    if name not in _known_timezones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScheduleExpressionError(
                f"unknown time zone {name!r}: use an IANA time zone name such as UTC, Asia/Tokyo, Europe/Berlin or "
                "America/New_York (ScheduleExpressionTimezone)") from None
    return name


def _known_timezones() -> set:
    return available_timezones() | {"UTC"}


def _split_expression(expression) -> tuple[str, str]:
    if not isinstance(expression, str):
        raise ScheduleExpressionError(f"a schedule expression must be a string, for example {EXPRESSION_EXAMPLES}")
    match = _EXPRESSION.match(expression.strip())
    if not match:
        raise ScheduleExpressionError(
            f"{expression!r} is not a schedule expression: write cron(...), rate(...) or at(...), "
            f"for example {EXPRESSION_EXAMPLES}")
    return match.group(1), match.group(2).strip()


def parse_rate(expression: str) -> timedelta:
    """The interval of ``rate(value unit)``."""
    body = _body_of(expression, "rate", RATE_EXAMPLE)
    match = _RATE.match(" ".join(body.split()))
    if not match:
        raise ScheduleExpressionError(
            f"{expression!r}: a rate expression is rate(<positive whole number> <unit>), for example {RATE_EXAMPLE}")
    value, unit = int(match.group(1)), match.group(2)
    singular = unit[:-1] if unit.endswith("s") else unit
    if singular not in RATE_UNITS:
        raise ScheduleExpressionError(
            f"{expression!r}: unknown rate unit {unit!r}; use minute(s), hour(s) or day(s), for example {RATE_EXAMPLE}")
    if value < 1:
        raise ScheduleExpressionError(f"{expression!r}: the rate must be at least 1, for example {RATE_EXAMPLE}")
    expected = singular if value == 1 else singular + "s"
    if unit != expected:
        raise ScheduleExpressionError(
            f"{expression!r}: with {value} the unit is {expected!r} (singular only with 1): write rate({value} {expected})")
    return timedelta(seconds=value * RATE_UNITS[singular])


def parse_at(expression: str) -> datetime:
    """The naive wall-clock time of ``at(yyyy-mm-ddThh:mm:ss)`` (it is read in the schedule's time zone)."""
    body = _body_of(expression, "at", AT_EXAMPLE)
    if not _AT.match(body):
        raise ScheduleExpressionError(
            f"{expression!r}: a one-time schedule is at(yyyy-mm-ddThh:mm:ss) with no time zone or fraction "
            f"(the time zone is the schedule's), for example {AT_EXAMPLE}")
    try:
        return datetime.strptime(body, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise ScheduleExpressionError(f"{expression!r}: {body} is not a date and time that exists, "
                                      f"for example {AT_EXAMPLE}") from None


def _body_of(expression: str, kind: str, example: str) -> str:
    found, body = _split_expression(expression)
    if found != kind:
        raise ScheduleExpressionError(f"{expression!r} is not a {kind}() expression, for example {example}")
    return body


# --- cron ----------------------------------------------------------------------------------------------------


def parse_cron(expression: str) -> list[list[tuple]]:
    """The six fields of a valid cron expression, each a list of terms.

    A term is ``("any",)`` for ``*`` or ``?``, ``("values", start, end, step)``, ``("last",)`` (``L``),
    ``("last_weekday",)`` (``LW``), ``("nearest_weekday", day)`` (``15W``), ``("last_of", weekday)`` (``6L``)
    or ``("nth_of", weekday, n)`` (``3#2``); weekdays are AWS's numbers, 1 = SUN.
    """
    body = _body_of(expression, "cron", CRON_EXAMPLE)
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleExpressionError(
            f"{expression!r} has {len(fields)} field{'s' if len(fields) != 1 else ''}; EventBridge Scheduler's cron has 6: "
            "Minutes Hours Day-of-month Month Day-of-week Year (a Unix cron line of 5 fields needs ? for one of the "
            f"day fields and a Year, usually *), for example {CRON_EXAMPLE}")
    _check_day_fields(expression, fields)
    return [_parse_field(expression, index, text) for index, text in enumerate(fields)]


def _check_day_fields(expression: str, fields: list[str]) -> None:
    day_of_month, day_of_week = fields[DAY_OF_MONTH], fields[DAY_OF_WEEK]
    if (day_of_month == "?") == (day_of_week == "?"):
        both = "both are ?" if day_of_month == "?" else f"Day-of-month is {day_of_month!r} and Day-of-week is {day_of_week!r}"
        raise ScheduleExpressionError(
            f"{expression!r}: exactly one of Day-of-month (3rd field) and Day-of-week (5th field) must be ?, but {both}; "
            f"for example cron(0 9 * * ? *) (every day) or cron(0 9 ? * MON-FRI *) (weekdays)")
    for index in (MINUTE, HOUR, MONTH, YEAR):
        if "?" in fields[index]:
            raise ScheduleExpressionError(
                f"{expression!r}: ? is only allowed in Day-of-month or Day-of-week, not in {CRON_FIELDS[index][0]}; "
                f"use * there, for example {CRON_EXAMPLE}")


def _parse_field(expression: str, index: int, text: str) -> list[tuple]:
    name, lowest, highest, names, extra = CRON_FIELDS[index]
    allowed = set(",-*") | set(extra)
    if text == "?":
        return [("any",)]
    if "#" in text and "," in text:
        raise ScheduleExpressionError(
            f"{expression!r}: a Day-of-week with # holds one expression only ({text!r}); for example 3#2 "
            "(the second Tuesday), and a second schedule for another day")
    terms = []
    for part in text.split(","):
        unknown = sorted({c for c in part if not c.isalnum()} - allowed)
        if unknown or not part:
            raise ScheduleExpressionError(
                f"{expression!r}: {name} {text!r} uses {''.join(unknown) or 'an empty list item'}; "
                f"{name} allows {lowest}-{highest}{_names_hint(names)} and the wildcards {' '.join(sorted(allowed))}")
        terms.append(_parse_term(expression, index, part))
    return terms


def _names_hint(names: dict) -> str:
    return f" or {min(names, key=names.get)}-{max(names, key=names.get)}" if names else ""


def _parse_term(expression: str, index: int, part: str) -> tuple:
    special = _special_day_term(expression, index, part)
    if special is not None:
        return special
    step_match = _STEP.match(part)
    if step_match:
        return _stepped_term(expression, index, step_match.group(1), int(step_match.group(2)))
    if part == "*":
        return ("any",)
    start, end = _range(expression, index, part)
    return ("values", start, end, 1)


def _special_day_term(expression: str, index: int, part: str):
    """The L, W and # terms, or None for an ordinary one."""
    name = CRON_FIELDS[index][0]
    if index == DAY_OF_MONTH:
        if part == "L":
            return ("last",)
        if part == "LW":
            return ("last_weekday",)
        match = _NEAREST_WEEKDAY.match(part)
        if match:
            return ("nearest_weekday", _value(expression, index, match.group(1)))
    if index == DAY_OF_WEEK:
        if part == "L":
            return ("values", 7, 7, 1)  # L alone in Day-of-week is its last day, Saturday
        match = _LAST_WEEKDAY.match(part)
        if match:
            return ("last_of", _value(expression, index, match.group(1)))
        match = _NTH_WEEKDAY.match(part)
        if match:
            nth = int(match.group(2))
            if not 1 <= nth <= 5:
                raise ScheduleExpressionError(f"{expression!r}: in {part!r} the week of the month must be 1-5, "
                                              "for example 3#2 (the second Tuesday)")
            return ("nth_of", _value(expression, index, match.group(1)), nth)
    if "L" in part.upper().replace("JUL", "") or "W" in part.replace("WED", "") or "#" in part:
        raise ScheduleExpressionError(
            f"{expression!r}: {name} {part!r} is not a valid use of L, W or #: Day-of-month takes L, LW or <day>W "
            "(15W), Day-of-week takes L, <day>L (FRIL or 6L, the last Friday) or <day>#<n> (3#2, the second Tuesday)")
    return None


def _stepped_term(expression: str, index: int, base: str, step: int) -> tuple:
    name, lowest, highest = CRON_FIELDS[index][:3]
    if step < 1:
        raise ScheduleExpressionError(f"{expression!r}: the increment after / in {name} must be at least 1")
    if base == "*":
        start, end = lowest, highest
    elif "-" in base:
        start, end = _range(expression, index, base)
    else:
        start, end = _value(expression, index, base), highest
    return ("values", start, end, step)


def _range(expression: str, index: int, text: str) -> tuple[int, int]:
    name = CRON_FIELDS[index][0]
    bounds = text.split("-")
    if len(bounds) == 1:
        value = _value(expression, index, text)
        return value, value
    if len(bounds) != 2:
        raise ScheduleExpressionError(f"{expression!r}: {name} {text!r} is not a range; write <first>-<last>, for example 1-5")
    start, end = (_value(expression, index, bound) for bound in bounds)
    if start > end:
        lowest, highest = CRON_FIELDS[index][1:3]
        raise ScheduleExpressionError(
            f"{expression!r}: {name} range {text!r} runs backwards; write it as two ranges: "
            f"{bounds[0]}-{_name_of(index, highest, bounds[0])},{_name_of(index, lowest, bounds[1])}-{bounds[1]}")
    return start, end


def _name_of(index: int, number: int, like: str) -> str:
    names = CRON_FIELDS[index][3]
    if names and not like.isdigit():
        return next(name for name, value in names.items() if value == number)
    return str(number)


def _value(expression: str, index: int, text: str) -> int:
    name, lowest, highest, names = CRON_FIELDS[index][:4]
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit() or not lowest <= int(text) <= highest:
        raise ScheduleExpressionError(
            f"{expression!r}: {name} value {text!r} is out of range; {name} allows {lowest}-{highest}"
            f"{_names_hint(names)}")
    return int(text)


# --- weekly times (what the roles generate) -----------------------------------------------------------------


def cron_weekly_times(expression: str) -> dict:
    """For ``cron(M H ? * DAYS *)`` with a fixed minute and hour, ``{"minute": M, "hour": H, "weekdays": [...]}``
    with Python's weekday numbers (Monday = 0), sorted. ``DAYS`` is ``*``, a day, a list or a range (names or
    numbers). Anything else (steps, L, #, a day of the month, a month or a year) raises ScheduleExpressionError."""
    fields = parse_cron(expression)
    minute, hour = (_single_value(expression, fields[index], CRON_FIELDS[index][0]) for index in (MINUTE, HOUR))
    if fields[DAY_OF_MONTH] != [("any",)] or _body_of(expression, "cron", CRON_EXAMPLE).split()[DAY_OF_MONTH] != "?":
        raise ScheduleExpressionError(f"{expression!r}: only weekly schedules have weekly times: Day-of-month must be ?, "
                                      "for example cron(0 22 ? * MON-FRI *)")
    for index in (MONTH, YEAR):
        if fields[index] != [("any",)]:
            raise ScheduleExpressionError(f"{expression!r}: weekly times need * as {CRON_FIELDS[index][0]}, "
                                          "for example cron(0 22 ? * MON-FRI *)")
    aws_days = set()
    for term in fields[DAY_OF_WEEK]:
        if term == ("any",):
            aws_days.update(range(1, 8))
        elif term[0] == "values" and term[3] == 1:
            aws_days.update(range(term[1], term[2] + 1))
        else:
            raise ScheduleExpressionError(f"{expression!r}: weekly times take a day, a list or a range of days "
                                          "(MON-FRI, SAT,SUN), not L or #")
    return {"minute": minute, "hour": hour, "weekdays": sorted(python_weekday(day) for day in aws_days)}


def python_weekday(aws_day: int) -> int:
    """AWS's Day-of-week number (1 = SUN) as Python's (0 = Monday)."""
    return (aws_day - 2) % 7


def _single_value(expression: str, terms: list[tuple], name: str) -> int:
    if len(terms) == 1 and terms[0][0] == "values" and terms[0][1] == terms[0][2]:
        return terms[0][1]
    raise ScheduleExpressionError(f"{expression!r}: weekly times need one fixed {name} value, "
                                  "for example cron(0 22 ? * MON-FRI *)")


# --- next runs -----------------------------------------------------------------------------------------------


def next_runs(expression: str, tz: str = "UTC", now: datetime | None = None, count: int = 5,
              start: datetime | None = None, end: datetime | None = None) -> list[datetime]:
    """The next ``count`` runs after ``now`` (aware datetimes in ``tz``), within ``start``..``end`` when given.

    Naive datetimes are taken as UTC.
    cron: every field and wildcard above, evaluated on the wall clock of ``tz`` with AWS's daylight saving rules (a
    run in the skipped hour is skipped, one in the repeated hour runs once, at its first occurrence); searched up to
    the year 2199. rate: every interval from ``start``, else from ``now`` (AWS counts from when the schedule was
    created, which this does not know without ``start``), as elapsed time (a day is 24 hours, also across a daylight
    saving change, as AWS does). at: the one run, if it is still to come.
    """
    kind = validate_schedule_expression(expression)
    zone = ZoneInfo(validate_timezone(tz))
    now, start, end = (_aware(moment) for moment in (now or datetime.now(timezone.utc), start, end))
    if kind == "at":
        runs = _at_runs(expression, zone, now)
    elif kind == "rate":
        runs = _rate_runs(expression, zone, now, start, count)
    else:
        after = max(now, start - timedelta(microseconds=1)) if start else now
        runs = _cron_runs(parse_cron(expression), zone, after, end, count)
    return [run for run in runs if (start is None or run >= start) and (end is None or run <= end)][:count]


def _aware(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC; a naive one is taken as UTC."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _at_runs(expression: str, zone: ZoneInfo, now: datetime) -> list[datetime]:
    run = parse_at(expression).replace(tzinfo=zone)
    return [run] if run > now and _exists(run) else []


def _rate_runs(expression: str, zone: ZoneInfo, now: datetime, start: datetime | None, count: int) -> list[datetime]:
    interval = parse_rate(expression)
    anchor = start or now
    first = anchor if anchor > now else anchor + interval * ((now - anchor) // interval + 1)
    return [(first + interval * number).astimezone(zone) for number in range(count)]


def _cron_runs(fields: list[list[tuple]], zone: ZoneInfo, after: datetime, end: datetime | None,
               count: int) -> list[datetime]:
    minutes = sorted(_expand(fields[MINUTE], MINUTE))
    hours = sorted(_expand(fields[HOUR], HOUR))
    months, years = _expand(fields[MONTH], MONTH), _expand(fields[YEAR], YEAR)
    runs = []
    day = after.astimezone(zone).date()
    last_day = min(date(2199, 12, 31), end.astimezone(zone).date()) if end else date(2199, 12, 31)
    while day <= last_day and len(runs) < count:
        if day.year in years and day.month in months and _day_matches(fields, day):
            runs += [run for run in _day_runs(day, hours, minutes, zone) if run > after][:count - len(runs)]
        day = _next_candidate_day(day, years, months)
    return runs


def _next_candidate_day(day: date, years: set, months: set) -> date:
    """The next day, jumping over whole months and years the expression excludes."""
    following = day + timedelta(days=1)
    while following.year <= 2199 and (following.year not in years or following.month not in months):
        if following.year not in years:
            following = date(following.year + 1, 1, 1)
        else:
            following = date(following.year + following.month // 12, following.month % 12 + 1, 1)
    return following


def _day_runs(day: date, hours: list[int], minutes: list[int], zone: ZoneInfo) -> list[datetime]:
    runs = []
    for hour in hours:
        for minute in minutes:
            run = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)  # fold=0: the first of a repeated time
            if _exists(run):
                runs.append(run)
    return runs


def _exists(local: datetime) -> bool:
    """False for a wall-clock time in a daylight saving gap (it does not round-trip through UTC)."""
    return local.astimezone(timezone.utc).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(tzinfo=None)


def _expand(terms: list[tuple], index: int) -> set[int]:
    lowest, highest = CRON_FIELDS[index][1:3]
    values = set()
    for term in terms:
        if term == ("any",):
            values.update(range(lowest, highest + 1))
        else:
            values.update(range(term[1], term[2] + 1, term[3]))
    return values


def _day_matches(fields: list[list[tuple]], day: date) -> bool:
    if fields[DAY_OF_MONTH] == [("any",)] and fields[DAY_OF_WEEK] == [("any",)]:
        return True  # one is ?, the other *
    if fields[DAY_OF_MONTH] != [("any",)]:
        return any(_day_of_month_matches(term, day) for term in fields[DAY_OF_MONTH])
    return any(_day_of_week_matches(term, day) for term in fields[DAY_OF_WEEK])


def _day_of_month_matches(term: tuple, day: date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    kind = term[0]
    if kind == "last":
        return day.day == last
    if kind == "last_weekday":
        return day == _nearest_weekday(day.year, day.month, last)
    if kind == "nearest_weekday":
        return term[1] <= last and day == _nearest_weekday(day.year, day.month, term[1])
    return day.day in range(term[1], term[2] + 1, term[3])


def _nearest_weekday(year: int, month: int, number: int) -> date:
    """The weekday (Monday-Friday) nearest day ``number``, never in another month (Quartz's W)."""
    wanted = date(year, month, number)
    last = calendar.monthrange(year, month)[1]
    if wanted.weekday() == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return wanted - timedelta(days=1) if number > 1 else wanted + timedelta(days=2)
    if wanted.weekday() == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return wanted + timedelta(days=1) if number < last else wanted - timedelta(days=2)
    return wanted


def _day_of_week_matches(term: tuple, day: date) -> bool:
    aws_day = (day.weekday() + 1) % 7 + 1
    kind = term[0]
    if kind == "last_of":
        return aws_day == term[1] and day.month != (day + timedelta(days=7)).month
    if kind == "nth_of":
        return aws_day == term[1] and (day.day - 1) // 7 + 1 == term[2]
    return aws_day in range(term[1], term[2] + 1, term[3])
