"""The complaints API (django-ninja): ``complaints`` (the router, with ``papers`` mounted on it),
``schemas`` (request and response shapes) and ``output`` (records as answers)."""
