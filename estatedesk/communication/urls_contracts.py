"""The contract pages of customer communication (SPEC C-5): list, export, a new contract, its page,
and its steps. Every ``<int:pk>`` URL takes only the contract's ``pk``; a step on a clarification
or a change names it in the form. Scope and roles are checked in the views and services."""

from __future__ import annotations

from django.urls import URLPattern, path

from estatedesk.communication.views import contracts

urlpatterns: list[URLPattern] = [
    path("contracts/", contracts.contract_list, name="contract_list"),
    path("contracts/export/", contracts.contract_export, name="contract_export"),
    path("contracts/new/", contracts.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", contracts.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/clarifications/", contracts.contract_clarify, name="contract_clarify"),
    path("contracts/<int:pk>/clarifications/answer/", contracts.contract_answer, name="contract_answer"),
    path("contracts/<int:pk>/sign/", contracts.contract_sign, name="contract_sign"),
    path("contracts/<int:pk>/changes/", contracts.contract_change_add, name="contract_change_add"),
    path("contracts/<int:pk>/changes/told/", contracts.contract_change_told, name="contract_change_told"),
    path(
        "contracts/<int:pk>/changes/resolve/",
        contracts.contract_change_resolve,
        name="contract_change_resolve",
    ),
    path("contracts/<int:pk>/end/", contracts.contract_end, name="contract_end"),
]
