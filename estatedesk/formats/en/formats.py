# English pages write dates the ISO way (2026-06-30), and months as 2026-06.
YEAR_MONTH_FORMAT = "Y-m"
