# Months read 2026年6月 everywhere: lists, queues, reports and exports (core.i18n.month_label).
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
