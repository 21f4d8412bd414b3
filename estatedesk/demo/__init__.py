"""The demo: the organisation (``org.demo``), its year of complaints (``complaints.demo``) and
the reports written on it (``reports.demo``), put together above the apps that make each part.

``estatedesk demo`` runs the ``seed_demo`` command of this app; the year is replayed in the
background by ``tasks.load_demo_history``.
"""
