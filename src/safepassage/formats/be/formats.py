"""Belarusian: ДД.ММ.ГГГГ and 24-hour times, one format on every page."""

SHORT_DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
