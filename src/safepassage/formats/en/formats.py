"""English: "28 Nov 2026" (never 11/28 or 28/11, which readers take both ways), 24-hour times."""

SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
