# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A power schedule as the roles configure it - a start time on some weekdays, a stop time on some weekdays, holiday
dates on which the start is skipped - turned into EventBridge Scheduler cron expressions, and into the hours a resource
runs per week and the share of the week saved. Pure logic: the filters in plugins/filter/power_schedule.py call it."""

from __future__ import annotations

import datetime
import re

try:
    import zoneinfo
except ImportError:  # Python < 3.9 on a managed node; the filter runs on the controller
    zoneinfo = None

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
HOURS_PER_WEEK = 168
# Savings are averaged over 52 weeks from the Monday of the reference date, so the holidays of the coming year count.
PERIOD_WEEKS = 52
_TIME = re.compile(r"(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)")


class ScheduleError(ValueError):
    """A schedule that cannot be used as given; the message names the setting and what to write instead."""


def parse_time(value, setting: str) -> tuple[int, int]:
    match = _TIME.fullmatch(str(value).strip())
    if not match:
        raise ScheduleError(f"{setting} is {value!r}: give a time of day as HH:MM, for example 09:00 or 22:00.")
    return int(match["hour"]), int(match["minute"])


def parse_weekdays(days, setting: str) -> list[int]:
    """Weekday names (MON..SUN, any case) as numbers, Monday 0, in week order."""
    if isinstance(days, str):
        days = [days]
    if not days:
        raise ScheduleError(f"{setting} is empty: list the weekdays, for example [MON, TUE, WED, THU, FRI].")
    numbers = set()
    for day in days:
        name = str(day).strip().upper()[:3]
        if name not in WEEKDAYS:
            raise ScheduleError(f"{setting} has {day!r}, which is not a weekday: use MON, TUE, WED, THU, FRI, SAT, SUN.")
        numbers.add(WEEKDAYS.index(name))
    return sorted(numbers)


def parse_dates(dates, setting: str) -> set[datetime.date]:
    parsed = set()
    for value in dates or []:
        try:
            parsed.add(value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)))
        except ValueError:
            raise ScheduleError(f"{setting} has {value!r}, which is not a date: write it as YYYY-MM-DD.") from None
    return parsed


def cron(time_of_day, weekdays, setting: str = "the schedule") -> str:
    """EventBridge Scheduler's six-field cron for a time on some weekdays: ``cron(0 22 ? * MON-FRI *)``."""
    hour, minute = parse_time(time_of_day, setting)
    numbers = parse_weekdays(weekdays, setting)
    return f"cron({minute} {hour} ? * {day_field(numbers)} *)"


def day_field(numbers: list[int]) -> str:
    if len(numbers) == 7:
        return "*"
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{WEEKDAYS[numbers[0]]}-{WEEKDAYS[numbers[-1]]}"
    return ",".join(WEEKDAYS[number] for number in numbers)


def check_window(start, start_weekdays, stop, stop_weekdays, prefix: str) -> None:
    """On a day with both, the start must come before the stop (a window across midnight is two days' business)."""
    if start is None:
        return
    if set(parse_weekdays(start_weekdays, f"{prefix}_start_weekdays")) & set(parse_weekdays(stop_weekdays, f"{prefix}_stop_weekdays")):
        if parse_time(start, f"{prefix}_start") >= parse_time(stop, f"{prefix}_stop"):
            raise ScheduleError(f"{prefix}_stop ({stop}) is not after {prefix}_start ({start}) on the same days: the resource "
                                "would never run. Give a stop time later in the day than the start time.")


def events(window: dict, first_day: datetime.date, days: int) -> list[tuple[datetime.datetime, str]]:
    """Every start and stop from ``first_day`` for ``days`` days, in order; a start on a holiday is skipped."""
    start_days = set(parse_weekdays(window["start_weekdays"], "start weekdays")) if window.get("start") else set()
    stop_days = set(parse_weekdays(window["stop_weekdays"], "stop weekdays"))
    holidays = parse_dates(window.get("holidays"), "holidays")
    found = []
    for offset in range(days):
        day = first_day + datetime.timedelta(days=offset)
        if day.weekday() in start_days and day not in holidays:
            found.append((datetime.datetime.combine(day, datetime.time(*parse_time(window["start"], "start"))), "start"))
        if day.weekday() in stop_days:
            found.append((datetime.datetime.combine(day, datetime.time(*parse_time(window["stop"], "stop"))), "stop"))
    return sorted(found)


def savings(window: dict, today: datetime.date) -> dict:
    """Weekly running hours and the share of the week saved, averaged over PERIOD_WEEKS weeks from the Monday of
    ``today``'s week, holidays in that period included. ``window``: {start (HH:MM or None), start_weekdays, stop,
    stop_weekdays, holidays}. Without a start the running hours depend on manual starts: they are None."""
    begin = today - datetime.timedelta(days=today.weekday())
    end = begin + datetime.timedelta(weeks=PERIOD_WEEKS)
    holidays = parse_dates(window.get("holidays"), "holidays")
    counted_holidays = sorted(day for day in holidays if begin <= day < end and window.get("start")
                              and day.weekday() in parse_weekdays(window["start_weekdays"], "start weekdays"))
    result = {"period_from": begin.isoformat(), "period_to": (end - datetime.timedelta(days=1)).isoformat(),
              "holidays_in_period": len(counted_holidays), "weekly_hours": HOURS_PER_WEEK}
    if not window.get("start"):
        return dict(result, weekly_running_hours=None, saved_share=None, saved_percent=None)
    # A week before the period lets the state at its first moment follow from the schedule, not from a guess.
    running, since = False, None
    seconds = 0.0
    period_start = datetime.datetime.combine(begin, datetime.time())
    period_end = datetime.datetime.combine(end, datetime.time())
    for moment, kind in events(window, begin - datetime.timedelta(weeks=1), (PERIOD_WEEKS + 1) * 7):
        if kind == "start" and not running:
            running, since = True, moment
        elif kind == "stop" and running:
            seconds += overlap(since, moment, period_start, period_end)
            running = False
    if running:
        seconds += overlap(since, period_end, period_start, period_end)
    weekly = seconds / 3600 / PERIOD_WEEKS
    share = 1 - weekly / HOURS_PER_WEEK
    return dict(result, weekly_running_hours=round(weekly, 2), saved_share=round(share, 4), saved_percent=round(share * 100, 1))


def overlap(start, end, period_start, period_end) -> float:
    return max(0.0, (min(end, period_end) - max(start, period_start)).total_seconds())


def check_timezone(name, setting: str) -> str:
    try:
        zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"{setting} is {name!r}, which is not an IANA time zone: use a name such as Asia/Tokyo, "
                            "Europe/Berlin or UTC.") from None
    return str(name)


def plan(settings: dict, prefix: str, today: datetime.date) -> dict:
    """Everything a role needs from its schedule settings, checked: {start_expression (or None), stop_expression,
    timezone, holidays, savings}. ``settings``: start, start_weekdays, stop, stop_weekdays, holidays, timezone; the
    names in messages are ``<prefix>_<setting>``."""
    start = settings.get("start") or None
    timezone = check_timezone(settings.get("timezone"), f"{prefix}_timezone")
    stop_expression = cron(settings.get("stop"), settings.get("stop_weekdays"), f"{prefix}_stop / {prefix}_stop_weekdays")
    start_expression = None
    if start:
        start_expression = cron(start, settings.get("start_weekdays"), f"{prefix}_start / {prefix}_start_weekdays")
        check_window(start, settings["start_weekdays"], settings["stop"], settings["stop_weekdays"], prefix)
    holidays = sorted(day.isoformat() for day in parse_dates(settings.get("holidays"), f"{prefix}_holidays"))
    window = {"start": start, "start_weekdays": settings.get("start_weekdays") or [], "stop": settings["stop"],
              "stop_weekdays": settings["stop_weekdays"], "holidays": holidays}
    return {"start_expression": start_expression, "stop_expression": stop_expression, "timezone": timezone,
            "holidays": holidays, "savings": savings(window, today)}
