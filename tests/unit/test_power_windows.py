"""module_utils/power_windows.py: a power schedule's cron expressions, its checks, and the savings it gives, checked
against hand arithmetic."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils.power_windows import ScheduleError, cron, plan, savings

TODAY = datetime.date(2026, 11, 24)  # a Tuesday; the period runs 52 weeks from Monday 2026-11-23
WORKDAYS = ("MON", "TUE", "WED", "THU", "FRI")
EVERY_DAY = WORKDAYS + ("SAT", "SUN")


def window(start, stop, start_weekdays=WORKDAYS, stop_weekdays=WORKDAYS, holidays=()):
    return {"start": start, "start_weekdays": list(start_weekdays), "stop": stop, "stop_weekdays": list(stop_weekdays),
            "holidays": list(holidays)}


def test_weekdays_nine_to_ten_pm_run_65_of_168_hours():
    figures = savings(window("09:00", "22:00"), TODAY)

    # 13 hours x 5 days = 65 h; 1 - 65/168 = 0.6131
    assert figures["weekly_running_hours"] == 65.0
    assert (figures["saved_share"], figures["saved_percent"]) == (0.6131, 61.3)


def test_holidays_on_start_days_in_the_coming_year_count_and_a_saturday_does_not():
    figures = savings(window("09:00", "22:00", holidays=["2026-12-31", "2027-01-01", "2026-12-26"]), TODAY)

    # Thu 31 Dec and Fri 1 Jan skip a 13-hour day each; Sat 26 Dec has no start: (52 x 65 - 2 x 13) / 52 = 64.5 h
    assert figures["holidays_in_period"] == 2
    assert figures["weekly_running_hours"] == 64.5
    assert figures["saved_percent"] == round((1 - 64.5 / 168) * 100, 1) == 61.6


def test_a_database_started_on_weekdays_at_half_past_eight_and_stopped_every_night_at_nine():
    figures = savings(window("08:30", "21:00", stop_weekdays=EVERY_DAY), TODAY)

    # 12.5 hours x 5 days = 62.5 h; the weekend stops find it stopped already
    assert figures["weekly_running_hours"] == 62.5
    assert figures["saved_percent"] == round((1 - 62.5 / 168) * 100, 1) == 62.8


def test_weekend_only_starts():
    figures = savings(window("10:00", "21:00", start_weekdays=["SAT", "SUN"], stop_weekdays=EVERY_DAY), TODAY)

    assert figures["weekly_running_hours"] == 22.0  # 11 hours x 2 days
    assert figures["saved_percent"] == 86.9


def test_without_a_start_the_running_hours_are_unknown():
    figures = savings(window(None, "21:00", start_weekdays=[], stop_weekdays=EVERY_DAY), TODAY)

    assert (figures["weekly_running_hours"], figures["saved_share"], figures["saved_percent"]) == (None, None, None)


@pytest.mark.parametrize(("time_of_day", "weekdays", "expression"), [
    ("22:00", WORKDAYS, "cron(0 22 ? * MON-FRI *)"),
    ("9:05", ["mon", "wed"], "cron(5 9 ? * MON,WED *)"),
    ("21:00", EVERY_DAY, "cron(0 21 ? * * *)"),
    ("07:30", ["SAT", "SUN"], "cron(30 7 ? * SAT,SUN *)"),
])
def test_cron_expressions_in_eventbridge_schedulers_six_fields(time_of_day, weekdays, expression):
    assert cron(time_of_day, weekdays) == expression


def settings(**changes):
    base = {"start": "09:00", "start_weekdays": list(WORKDAYS), "stop": "22:00", "stop_weekdays": list(WORKDAYS), "holidays": [],
            "timezone": "Asia/Tokyo"}
    return {**base, **changes}


def test_the_plan_has_both_expressions_the_time_zone_and_the_savings():
    result = plan(settings(holidays=["2027-01-01", "2026-12-31"]), "ecs_schedule", TODAY)

    assert (result["start_expression"], result["stop_expression"]) == ("cron(0 9 ? * MON-FRI *)", "cron(0 22 ? * MON-FRI *)")
    assert result["timezone"] == "Asia/Tokyo"
    assert result["holidays"] == ["2026-12-31", "2027-01-01"]
    assert result["savings"]["weekly_running_hours"] == 64.5


@pytest.mark.parametrize(("changes", "message"), [
    ({"stop": "25:00"}, "ecs_schedule_stop / ecs_schedule_stop_weekdays is '25:00': give a time of day as HH:MM"),
    ({"start": "9am"}, "ecs_schedule_start / ecs_schedule_start_weekdays is '9am'"),
    ({"start": "22:00", "stop": "09:00"}, "ecs_schedule_stop (09:00) is not after ecs_schedule_start (22:00)"),
    ({"start": "09:00", "stop": "09:00"}, "is not after ecs_schedule_start"),
    ({"start_weekdays": [], "stop_weekdays": []}, "is empty: list the weekdays"),
    ({"stop_weekdays": ["MON", "FUNDAY"]}, "has 'FUNDAY', which is not a weekday"),
    ({"timezone": "Asia/Tokio"}, "ecs_schedule_timezone is 'Asia/Tokio', which is not an IANA time zone"),
    ({"holidays": ["2026-13-01"]}, "ecs_schedule_holidays has '2026-13-01', which is not a date"),
])
def test_bad_settings_are_refused_naming_the_setting(changes, message):
    with pytest.raises(ScheduleError, match=None) as raised:
        plan(settings(**changes), "ecs_schedule", TODAY)

    assert message in str(raised.value)
