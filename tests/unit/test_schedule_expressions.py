"""schedule_expressions: EventBridge Scheduler's cron, rate and at expressions and time zones, the weekly times of the
roles' cron expressions, and the next runs (with daylight saving changes)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils.schedule_expressions import (
    ScheduleExpressionError,
    cron_weekly_times,
    next_runs,
    python_weekday,
    validate_schedule_expression,
    validate_timezone,
)

NOW = datetime(2026, 3, 7, 12, 0, tzinfo=timezone.utc)  # a Saturday; New York springs forward on Sunday 2026-03-08


def iso(runs):
    return [run.isoformat() for run in runs]


# --- valid expressions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("expression", [
    "cron(0 22 ? * MON-FRI *)",
    "cron(0 9 * * ? *)",
    "cron(15 10 ? * 6L 2026-2030)",
    "cron(0/15 * * * ? *)",
    "cron(1/10 8-17 ? * 2-6 *)",
    "cron(0 18 ? * MON,WED,FRI *)",
    "cron(0 8 1 JAN,JUL ? *)",
    "cron(0 8 1 1-6/2 ? *)",
    "cron(30 9 L * ? *)",
    "cron(30 9 LW * ? *)",
    "cron(30 9 15W * ? *)",
    "cron(0 9 ? * 3#2 *)",
    "cron(0 9 ? * FRI#5 *)",
    "cron(0 9 ? * L *)",
    "cron(0 9 ? * FRIL *)",
    "cron(0 0 1/7 * ? *)",
    "cron(59 23 31 DEC ? 2199)",
    "cron(0 12 ? * sun *)",
    "cron( 0 22 ? * MON-FRI * )",
])
def test_valid_cron_expressions_are_cron(expression):
    assert validate_schedule_expression(expression) == "cron"


@pytest.mark.parametrize("expression", ["rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)",
                                        "rate(1 day)", "rate(7 days)"])
def test_valid_rate_expressions_are_rate(expression):
    assert validate_schedule_expression(expression) == "rate"


@pytest.mark.parametrize("expression", ["at(2026-12-24T18:00:00)", "at(2028-02-29T00:00:00)"])
def test_valid_at_expressions_are_at(expression):
    assert validate_schedule_expression(expression) == "at"


# --- invalid expressions, each with what is wrong and the right form ----------------------------------------


@pytest.mark.parametrize(("expression", "message"), [
    ("cron(0 22 * * 1-5)", "has 5 fields; EventBridge Scheduler's cron has 6"),
    ("cron(0 22 ? * MON-FRI * 1)", "has 7 fields"),
    ("cron(0 22 * * MON-FRI *)", "exactly one of Day-of-month (3rd field) and Day-of-week (5th field) must be ?"),
    ("cron(0 22 ? * ? *)", "but both are ?"),
    ("cron(0 22 1 * 2 *)", "Day-of-month is '1' and Day-of-week is '2'"),
    ("cron(60 22 ? * MON *)", "Minutes value '60' is out of range; Minutes allows 0-59"),
    ("cron(0 24 ? * MON *)", "Hours value '24' is out of range; Hours allows 0-23"),
    ("cron(0 9 32 * ? *)", "Day-of-month value '32' is out of range"),
    ("cron(0 9 0 * ? *)", "Day-of-month value '0' is out of range"),
    ("cron(0 9 1 13 ? *)", "Month value '13' is out of range; Month allows 1-12 or JAN-DEC"),
    ("cron(0 9 1 JANUARY ? *)", "Month value 'JANUARY' is out of range"),
    ("cron(0 9 ? * 0 *)", "Day-of-week value '0' is out of range; Day-of-week allows 1-7 or SUN-SAT"),
    ("cron(0 9 ? * MONDAY *)", "Day-of-week value 'MONDAY' is out of range"),
    ("cron(0 9 1 * ? 1969)", "Year value '1969' is out of range; Year allows 1970-2199"),
    ("cron(0 9 1 * ? 2200)", "Year value '2200' is out of range"),
    ("cron(0 22 ? * FRI-MON *)", "runs backwards; write it as two ranges: FRI-SAT,SUN-MON"),
    ("cron(0 22-2 * * ? *)", "write it as two ranges: 22-23,0-2"),
    ("cron(0 9 ? * MON/2 *)", "Day-of-week 'MON/2' uses /"),
    ("cron(0 9 ? * 3#2,5#1 *)", "a Day-of-week with # holds one expression only"),
    ("cron(0 9 ? * 3#6 *)", "the week of the month must be 1-5"),
    ("cron(0 9 L-3 * ? *)", "is not a valid use of L, W or #"),
    ("cron(0 9 ? 5L * *)", "is not a valid use of L, W or #"),
    ("cron(0 9 ? * 1W *)", "is not a valid use of L, W or #"),
    ("cron(? 9 * * ? *)", "? is only allowed in Day-of-month or Day-of-week, not in Minutes"),
    ("cron(0 9 1,,2 * ? *)", "uses an empty list item"),
    ("cron(0/0 9 * * ? *)", "the increment after / in Minutes must be at least 1"),
    ("cron(0 9 1-2-3 * ? *)", "is not a range"),
    ("rate(1 minutes)", "with 1 the unit is 'minute' (singular only with 1): write rate(1 minute)"),
    ("rate(5 minute)", "with 5 the unit is 'minutes'"),
    ("rate(2 weeks)", "unknown rate unit 'weeks'; use minute(s), hour(s) or day(s)"),
    ("rate(0 minutes)", "the rate must be at least 1"),
    ("rate(-5 minutes)", "a rate expression is rate(<positive whole number> <unit>)"),
    ("rate(1.5 hours)", "a rate expression is rate(<positive whole number> <unit>)"),
    ("rate(hour)", "a rate expression is rate(<positive whole number> <unit>)"),
    ("at(2026-12-24 18:00:00)", "a one-time schedule is at(yyyy-mm-ddThh:mm:ss)"),
    ("at(2026-12-24T18:00:00Z)", "with no time zone or fraction"),
    ("at(2026-12-24T18:00)", "a one-time schedule is at(yyyy-mm-ddThh:mm:ss)"),
    ("at(2027-02-29T00:00:00)", "is not a date and time that exists"),
    ("0 22 * * ? *", "is not a schedule expression: write cron(...), rate(...) or at(...)"),
    ("every(5 minutes)", "is not a schedule expression"),
    ("cron(0 22 ? * MON-FRI *", "is not a schedule expression"),
    ("", "is not a schedule expression"),
])
def test_invalid_expressions_say_what_is_wrong(expression, message):
    with pytest.raises(ScheduleExpressionError) as error:
        validate_schedule_expression(expression)

    assert message in str(error.value)


@pytest.mark.parametrize("expression", ["cron(0 22 * * 1-5)", "rate(2 weeks)", "at(2026-12-24)", "cron(0 22 ? * FRI-MON *)"])
def test_invalid_expression_messages_show_an_example_of_the_right_form(expression):
    with pytest.raises(ScheduleExpressionError) as error:
        validate_schedule_expression(expression)

    examples = ("cron(0 22 ? * MON-FRI *)", "rate(1 hour)", "at(2026-12-24T18:00:00)", "FRI-SAT,SUN-MON")
    assert any(example in str(error.value) for example in examples)


def test_a_non_string_expression_is_refused():
    with pytest.raises(ScheduleExpressionError, match="must be a string"):
        validate_schedule_expression(None)


# --- time zones ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["UTC", "Asia/Tokyo", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"])
def test_iana_time_zones_are_valid(name):
    assert validate_timezone(name) == name


@pytest.mark.parametrize("name", ["Asia/Osaka", "JST+9", "Tokyo", "", "../etc/passwd", None])
def test_unknown_time_zones_are_refused_with_examples(name):
    with pytest.raises(ScheduleExpressionError) as error:
        validate_timezone(name)

    assert "Asia/Tokyo" in str(error.value)


# --- weekly times --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "expected"), [
    ("cron(0 22 ? * MON-FRI *)", {"minute": 0, "hour": 22, "weekdays": [0, 1, 2, 3, 4]}),
    ("cron(30 9 ? * 2-6 *)", {"minute": 30, "hour": 9, "weekdays": [0, 1, 2, 3, 4]}),
    ("cron(0 8 ? * SAT,SUN *)", {"minute": 0, "hour": 8, "weekdays": [5, 6]}),
    ("cron(0 8 ? * 1 *)", {"minute": 0, "hour": 8, "weekdays": [6]}),
    ("cron(45 23 ? * * *)", {"minute": 45, "hour": 23, "weekdays": [0, 1, 2, 3, 4, 5, 6]}),
    ("cron(0 7 ? * MON,WED-FRI *)", {"minute": 0, "hour": 7, "weekdays": [0, 2, 3, 4]}),
])
def test_weekly_times_list_python_weekdays_and_the_time(expression, expected):
    assert cron_weekly_times(expression) == expected


@pytest.mark.parametrize("expression", [
    "cron(0/15 22 ? * MON-FRI *)",
    "cron(0 9-17 ? * MON-FRI *)",
    "cron(0 22 * * ? *)",
    "cron(0 22 1 * ? *)",
    "cron(0 22 ? JAN MON *)",
    "cron(0 22 ? * MON 2027)",
    "cron(0 22 ? * 6L *)",
    "cron(0 22 ? * 3#2 *)",
    "rate(1 day)",
])
def test_weekly_times_refuse_what_the_roles_do_not_generate(expression):
    with pytest.raises(ScheduleExpressionError):
        cron_weekly_times(expression)


def test_aws_weekday_numbers_start_on_sunday():
    assert [python_weekday(day) for day in range(1, 8)] == [6, 0, 1, 2, 3, 4, 5]


# --- next runs -----------------------------------------------------------------------------------------------


def test_next_runs_of_a_weekday_cron_in_tokyo():
    runs = next_runs("cron(0 22 ? * MON-FRI *)", "Asia/Tokyo", NOW, 4)

    assert iso(runs) == ["2026-03-09T22:00:00+09:00", "2026-03-10T22:00:00+09:00",
                         "2026-03-11T22:00:00+09:00", "2026-03-12T22:00:00+09:00"]


def test_a_run_in_the_skipped_spring_hour_does_not_happen():
    runs = next_runs("cron(30 2 * * ? *)", "America/New_York", NOW, 3)

    assert iso(runs) == ["2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00", "2026-03-11T02:30:00-04:00"]


def test_a_run_in_the_repeated_autumn_hour_happens_once():
    runs = next_runs("cron(30 1 * * ? *)", "America/New_York", datetime(2026, 10, 31, 12, tzinfo=timezone.utc), 3)

    assert iso(runs) == ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00", "2026-11-03T01:30:00-05:00"]


def test_local_time_stays_the_same_across_a_daylight_saving_change():
    runs = next_runs("cron(0 9 ? * * *)", "America/New_York", NOW, 3)

    assert [run.astimezone(timezone.utc).hour for run in runs] == [14, 13, 13]  # 09:00 EST, then 09:00 EDT


def test_next_runs_after_now_in_the_same_minute_skip_the_current_one():
    runs = next_runs("cron(0 21 * * ? *)", "Asia/Tokyo", datetime(2026, 3, 7, 12, 0, tzinfo=timezone.utc), 1)

    assert iso(runs) == ["2026-03-08T21:00:00+09:00"]  # 21:00 JST on the 7th is now, not next


@pytest.mark.parametrize(("expression", "expected"), [
    ("cron(0 9 ? * 3#2 *)", ["2026-03-10T09:00:00+09:00", "2026-04-14T09:00:00+09:00"]),  # second Tuesdays
    ("cron(0 9 ? * 6L *)", ["2026-03-27T09:00:00+09:00", "2026-04-24T09:00:00+09:00"]),  # last Fridays
    ("cron(0 9 L * ? *)", ["2026-03-31T09:00:00+09:00", "2026-04-30T09:00:00+09:00"]),
    ("cron(0 9 LW * ? *)", ["2026-03-31T09:00:00+09:00", "2026-04-30T09:00:00+09:00"]),
    ("cron(0 9 1W * ? *)", ["2026-04-01T09:00:00+09:00", "2026-05-01T09:00:00+09:00"]),
    ("cron(0 9 15W * ? *)", ["2026-03-16T09:00:00+09:00", "2026-04-15T09:00:00+09:00"]),  # 15 March is a Sunday
    ("cron(0 9 29 FEB ? *)", ["2028-02-29T09:00:00+09:00", "2032-02-29T09:00:00+09:00"]),
    ("cron(0/20 23 * * ? 2026)", ["2026-03-07T23:00:00+09:00", "2026-03-07T23:20:00+09:00"]),
])
def test_next_runs_of_day_wildcards(expression, expected):
    assert iso(next_runs(expression, "Asia/Tokyo", NOW, 2)) == expected


def test_next_runs_end_with_the_last_year_of_the_expression():
    assert iso(next_runs("cron(0 9 1 JAN ? 2027)", "UTC", NOW, 5)) == ["2027-01-01T09:00:00+00:00"]


def test_an_expression_that_never_matches_has_no_runs():
    assert next_runs("cron(0 9 31 FEB ? *)", "UTC", NOW, 5) == []


def test_next_runs_respect_start_and_end_dates():
    start = datetime(2026, 4, 1, tzinfo=timezone.utc)
    end = datetime(2026, 4, 3, 23, 59, tzinfo=timezone.utc)

    assert iso(next_runs("cron(0 12 * * ? *)", "UTC", NOW, 5, start=start, end=end)) == [
        "2026-04-01T12:00:00+00:00", "2026-04-02T12:00:00+00:00", "2026-04-03T12:00:00+00:00"]


def test_rate_runs_count_elapsed_time_from_the_start_date_across_daylight_saving():
    start = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)

    runs = next_runs("rate(1 day)", "America/New_York", NOW, 3, start=start)

    assert iso(runs) == ["2026-03-08T08:00:00-04:00", "2026-03-09T08:00:00-04:00", "2026-03-10T08:00:00-04:00"]


def test_rate_runs_without_a_start_date_count_from_now():
    assert iso(next_runs("rate(15 minutes)", "UTC", NOW, 2)) == ["2026-03-07T12:15:00+00:00", "2026-03-07T12:30:00+00:00"]


def test_at_runs_once_in_its_time_zone_and_not_when_past():
    assert iso(next_runs("at(2026-12-24T18:00:00)", "Asia/Tokyo", NOW)) == ["2026-12-24T18:00:00+09:00"]
    assert next_runs("at(2026-01-01T00:00:00)", "Asia/Tokyo", NOW) == []


def test_at_in_a_skipped_hour_never_runs():
    assert next_runs("at(2026-03-08T02:30:00)", "America/New_York", NOW) == []


def test_naive_now_is_taken_as_utc():
    assert next_runs("rate(1 hour)", "UTC", datetime(2026, 3, 7, 12), 1) == next_runs("rate(1 hour)", "UTC", NOW, 1)
