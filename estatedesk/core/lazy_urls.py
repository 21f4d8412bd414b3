"""A URL include whose module is imported when a request or a ``reverse()`` first needs it.

Decision 0063: the API's URLconf builds every pydantic schema of every endpoint (about 28 MiB of a
web process), and Django 5 populates every included resolver as soon as anything reverses a name,
so an ordinary ``include`` of the API costs every process that memory, whether or not a request
for the API ever comes. This resolver stays empty until a path under its prefix is resolved, or a
name in its namespace is reversed; a process that serves only the web pages never imports it.

It must be namespaced: the parent resolver then records only the namespace and the prefix, and
asks the child for its names when a name in that namespace is reversed.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLResolver, get_resolver, get_script_prefix
from django.urls.resolvers import RoutePattern
from django.utils.functional import cached_property


class LoadedOnUse(URLResolver):
    """An ``include((module, app_name), namespace)`` whose module is imported on first use."""

    def __init__(self, route: str, module: str, *, app_name: str, namespace: str) -> None:
        super().__init__(
            RoutePattern(route, is_endpoint=False), module, app_name=app_name, namespace=namespace
        )
        self._wanted = False

    def _populate(self) -> None:
        # The parent populates every child when it first reverses any name; until this one is
        # wanted, it passes by (the parent keeps only the namespace of a namespaced child).
        if self._wanted:
            super()._populate()

    def _want(self) -> None:
        self._wanted = True

    @property
    def loaded(self) -> bool:
        """Whether a request or a reverse() has asked for it yet. Walkers of the whole URLconf
        that need no view (``core.redact``'s private-link paths) pass by while it is not."""
        return self._wanted

    @cached_property
    def urlconf_module(self) -> Any:
        # Whoever reads the patterns has loaded them: Django's reverse() of a namespaced name
        # reads them through a resolver of its own (get_ns_resolver), not this one's dicts.
        self._want()
        return super().urlconf_module

    def resolve(self, path: Any) -> Any:
        if self.pattern.match(str(path)):
            self._want()
        return super().resolve(path)

    @property
    def reverse_dict(self) -> Any:
        self._want()
        return super().reverse_dict

    @property
    def namespace_dict(self) -> Any:
        self._want()
        return super().namespace_dict

    @property
    def app_dict(self) -> Any:
        self._want()
        return super().app_dict


def address_in(namespace: str, rest: str = "") -> str:
    """The address of ``rest`` under a namespaced include (``address_in("api", "docs")`` is
    ``/api/docs``), from the parent's record of the include's prefix: the include's own URLconf
    is not imported. For pages that only link to the API or ask whether a path is under it."""
    prefix, _resolver = get_resolver().namespace_dict[namespace]
    return get_script_prefix() + prefix + rest
