"""Forms of the complaint page's workflow steps and of the papers around it (SPEC K-4 … K-11).

The forms only parse what was typed: every rule about the step lives in ``services`` and
``papers``, whose errors the views put back next to these fields. Datetimes are typed in
company time (the views run inside it).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import BLANK_CHOICE_DASH, Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from estatedesk.complaints import workflow
from estatedesk.complaints.models import (
    Cause,
    Complaint,
    ReplyManner,
    Satisfaction,
    TransferSlip,
    VisitMethod,
)
from estatedesk.complaints.selectors import addressable_departments, slips_for
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.versioning import version_field, version_initial
from estatedesk.org import selectors as org_selectors
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import Department, Developer, Estate, Staff

LEAVE_EMPTY_FOR_NOW = _("Leave empty for now.")
# Radio buttons and their wrapper share the widget's class; the stylesheet lays them out.
RADIO_CLASS = "choice-radio"


def when_field(
    label: Any, *, required: bool = False, help_text: Any = LEAVE_EMPTY_FOR_NOW
) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text if not required else "",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def text_field(
    label: Any, *, required: bool = True, rows: int = 3, max_length: int = 4000
) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def company_departments(user: Actor) -> Any:
    return org_selectors.departments_for(user).filter(developer__isnull=True, active=True)


def staff_label(staff: Staff) -> str:
    return f"{staff.display_name} · {staff.get_role_display()}"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return staff_label(obj)


class StepForm(forms.Form):
    """A form of one step; ``complaint`` and ``user`` let it offer only choices in scope."""

    def __init__(
        self, *args: Any, complaint: Complaint | None = None, user: Actor | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        # Forms that offer no scoped choices are made without a user: they see nothing.
        self.user: Actor = user if user is not None else AnonymousUser()
        self.setup()
        for field in self.fields.values():
            field.label = capfirst(field.label)
        style_widgets(self)

    def setup(self) -> None:
        """Choices that depend on the user or the complaint."""


# --- The complaint's steps --------------------------------------------------------------------


class AssessForm(StepForm):
    cause = forms.ChoiceField(label=_("cause"), choices=[("", "---------"), *Cause.choices])
    serious = forms.BooleanField(label=_("serious"), required=False)
    urgent = forms.BooleanField(label=_("urgent"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def setup(self) -> None:
        c = self.complaint
        if c is not None and not self.is_bound and c.cause:
            self.initial.update({"cause": c.cause, "serious": c.serious, "urgent": c.urgent})


class RequestForm(StepForm):
    requested_reply_at = when_field(
        _("reply time the customer asks for"),
        help_text=_("Leave empty if the customer no longer asks for a time."),
    )

    def setup(self) -> None:
        c = self.complaint
        if c is not None and not self.is_bound and c.requested_reply_at:
            self.initial["requested_reply_at"] = c.requested_reply_at


def handler_choices(user: Actor, department: Department | int | None = None) -> Any:
    """People the user may name as handler, of ``department`` when given: what the forward
    form accepts, and what its handler list shows once a department is chosen."""
    staff = org_selectors.staff_for(user).filter(role__in=workflow.HANDLING_ROLES, user__is_active=True)
    if department is not None:
        staff = staff.filter(departments=department)
    return staff.order_by("display_name")


def narrow_handlers(form: forms.Form, target: str) -> None:
    """Choosing a department asks the server for its handlers (htmx) and puts them in the
    select ``target``; the service still checks the pair (the person is in the department)."""
    form.fields["department"].widget.attrs.update(
        {
            "hx-get": reverse("complaints:forward_handlers"),
            "hx-trigger": "change",
            "hx-target": target,
            "hx-swap": "innerHTML",
            "aria-controls": target.lstrip("#"),
        }
    )


class AssignForm(StepForm):
    department = forms.ModelChoiceField(label=_("handling department"), queryset=Department.objects.none())
    handler = StaffChoiceField(
        label=_("handler"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=_("Leave empty to tell the department's handlers and head."),
    )

    def setup(self) -> None:
        self.fields["department"].queryset = company_departments(self.user)  # type: ignore[attr-defined]
        # Bound, every handler in scope is accepted here and the service checks the pair, so a
        # wrong pair gets its own message; unbound, the list shows the chosen department's people.
        department = None if self.is_bound or self.complaint is None else self.complaint.department_id
        self.fields["handler"].queryset = handler_choices(self.user, department)  # type: ignore[attr-defined]
        if self.complaint is not None and not self.is_bound:
            self.initial["department"] = self.complaint.department_id
        narrow_handlers(self, "#" + str(self.auto_id) % "handler")


class TakeForm(StepForm):
    """接手: no fields; the complaint goes to the user, in its own department."""


class BulkAssignForm(StepForm):
    """The department (and handler) that the list's bulk "forward" sends every chosen complaint to."""

    department = forms.ModelChoiceField(label=_("handling department"), queryset=Department.objects.none())
    handler = StaffChoiceField(label=_("handler"), queryset=Staff.objects.none(), required=False)

    def __init__(self, *args: Any, departments: list[tuple[str, str]] | None = None, **kwargs: Any):
        self.departments = departments
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        if self.departments is not None and not self.is_bound:
            # The list page's bar: the departments the list read with its filters, which are
            # ``company_departments``' rows in its order (no query; bound, the queryset checks).
            department = cast(forms.ChoiceField, self.fields["department"])
            department.choices = [("", BLANK_CHOICE_DASH[0][1]), *self.departments]
        else:
            self.fields["department"].queryset = company_departments(self.user)  # type: ignore[attr-defined]
        # The list's bar starts with no names (no query for a page view); choosing a department
        # fills them (htmx). Bound, every handler in scope is accepted and the service checks the pair.
        handlers = handler_choices(self.user) if self.is_bound else Staff.objects.none()
        self.fields["handler"].queryset = handlers  # type: ignore[attr-defined]
        narrow_handlers(self, "#" + str(self.auto_id) % "handler")


class ReferForm(StepForm):
    party = forms.CharField(label=_("referred to (party and person)"), max_length=200)
    developer = forms.ModelChoiceField(
        label=_("developer"), queryset=Developer.objects.none(), required=False
    )
    referred_at = when_field(_("referred at"))
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def setup(self) -> None:
        developers = Developer.objects.all()
        if self.complaint is not None:
            developers = developers.filter(
                Q(estates=self.complaint.estate_id) | Q(estates__isnull=True)
            ).distinct()
        self.fields["developer"].queryset = developers  # type: ignore[attr-defined]


class ReferralResultForm(StepForm):
    result = text_field(_("result from the party"))
    at = when_field(_("result received at"))


class HandleForm(StepForm):
    cause_analysis = text_field(_("cause analysis"), required=False)
    measures = text_field(_("measures"), required=False)
    result = text_field(_("result"), required=False)
    based_on_version = version_field()

    def setup(self) -> None:
        c = self.complaint
        if c is not None and not self.is_bound:
            self.initial.update(
                {
                    "cause_analysis": c.cause_analysis,
                    "measures": c.measures,
                    "result": c.result,
                    **version_initial(c),
                }
            )


class ReplyForm(StepForm):
    content = text_field(_("reply to the customer"))
    manner = forms.ChoiceField(label=_("reply manner"), choices=ReplyManner.choices, widget=forms.RadioSelect)
    replied_at = when_field(_("replied at"))

    def setup(self) -> None:
        self.fields["manner"].widget.attrs["class"] = RADIO_CLASS


class VisitForm(StepForm):
    method = forms.ChoiceField(label=_("method"), choices=VisitMethod.choices, widget=forms.RadioSelect)
    opinion = text_field(_("complainant opinion"))
    satisfaction = forms.ChoiceField(
        label=_("satisfaction"), choices=[("", "---------"), *Satisfaction.choices]
    )
    visited_at = when_field(_("visited at"))
    visitor = StaffChoiceField(
        label=_("visited by"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=_("Leave empty if you made the visit yourself."),
    )

    def setup(self) -> None:
        self.fields["method"].widget.attrs["class"] = RADIO_CLASS
        self.fields["visitor"].queryset = (  # type: ignore[attr-defined]
            org_selectors.staff_for(self.user)
            .filter(role__in=workflow.INTAKE_ROLES, user__is_active=True)
            .order_by("display_name")
        )


class CloseForm(StepForm):
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class CloseSuperiorForm(StepForm):
    reason = text_field(_("reason for closing"))


class LinkForm(StepForm):
    lead = forms.CharField(
        label=_("lead complaint number"),
        required=False,
        max_length=20,
        help_text=_("For example TS-2026-000001."),
    )
    unlink = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_lead(self) -> str:
        return self.cleaned_data["lead"].strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("unlink") and not data.get("lead"):
            self.add_error("lead", _("Enter the number of the lead complaint."))
        return data


class AnalyseForm(StepForm):
    analysis = text_field(_("department head's analysis"), rows=4)
    based_on_version = version_field()

    def setup(self) -> None:
        c = self.complaint
        if c is not None and not self.is_bound:
            self.initial.update({"analysis": c.grievance_analysis, **version_initial(c)})


FIRST_SIGNER_CHOICES = [
    ("department_head", _("The head of the complaint's department")),
    ("deputy_gm", _("Directly the deputy general manager")),
    ("gm", _("Directly the general manager")),
]


class SlipForm(StepForm):
    matter = text_field(_("matter"))
    handler_opinion = text_field(_("handler's opinion"), required=False)
    first_signer = forms.ChoiceField(
        label=_("first signer"),
        choices=FIRST_SIGNER_CHOICES,
        initial="department_head",
        widget=forms.RadioSelect,
        required=False,  # left out: the first choice offered (the head, for a head the deputy GM)
        help_text=_("Each signer decides or passes the slip up; nobody signs a slip they raised."),
    )

    def _department_has_head(self) -> bool:
        assert self.complaint is not None
        me = policy.staff_of(self.user)
        heads = Staff.objects.filter(
            role="department_head", departments=self.complaint.department_id, user__is_active=True
        )
        if me is not None:
            heads = heads.exclude(pk=me.pk)
        return heads.exists()

    def clean_first_signer(self) -> str:
        return self.cleaned_data.get("first_signer") or self.fields["first_signer"].initial

    def setup(self) -> None:
        """Only the superiors the user may send a slip to (a department head: the deputy GM or the GM)."""
        role = policy.role_of(self.user)
        choices = [
            (value, label)
            for value, label in FIRST_SIGNER_CHOICES
            if role in workflow.SLIP.get(workflow.SLIP_RAISE[value]).roles
        ]
        if self.complaint is not None and not self._department_has_head():
            # A management office whose supervisor handles it has no head above him: the deputy GM.
            choices = [(value, label) for value, label in choices if value != "department_head"]
        field = self.fields["first_signer"]
        field.choices = choices or FIRST_SIGNER_CHOICES  # type: ignore[attr-defined]
        field.initial = field.choices[0][0]  # type: ignore[attr-defined]
        field.widget.attrs["class"] = RADIO_CLASS


# --- Slips, notices and weekly reviews --------------------------------------------------------


class SignForm(StepForm):
    opinion = text_field(_("opinion"))
    based_on_version = version_field()
    # The two submit buttons carry the decision; a plain field keeps a typed value on errors.
    decision = forms.ChoiceField(
        choices=[
            ("escalate", _("Pass up")),
            ("escalate_gm", _("Pass up to the GM")),
            ("decide", _("Decide")),
        ],
        widget=forms.HiddenInput,
        required=False,
    )

    def clean_decision(self) -> str:
        value = self.cleaned_data.get("decision") or ""
        if value not in ("escalate", "escalate_gm", "decide"):
            raise forms.ValidationError(_("Choose to decide or to pass up."))
        return value


class SlipResultForm(StepForm):
    result = text_field(_("final result"))
    based_on_version = version_field()


class NoticeForm(StepForm):
    slip = forms.ModelChoiceField(
        label=_("work transfer slip"),
        queryset=TransferSlip.objects.none(),
        required=False,
        help_text=_("Only for a notice that follows a decided slip."),
    )
    department = forms.ModelChoiceField(label=_("responsible department"), queryset=Department.objects.none())
    task = text_field(_("task"), rows=4)
    due_at = when_field(_("complete by"), required=True)
    estate = forms.ModelChoiceField(label=_("estate"), queryset=Estate.objects.none(), required=False)

    def setup(self) -> None:
        self.fields["slip"].queryset = slips_for(self.user).filter(status=workflow.DECIDED)  # type: ignore[attr-defined]
        # Only the departments under the user (K-9): those they head, or any for the deputy GM / GM.
        self.fields["department"].queryset = addressable_departments(self.user)  # type: ignore[attr-defined]
        self.fields["estate"].queryset = org_selectors.estates_for(self.user)  # type: ignore[attr-defined]


class NoticeReportForm(StepForm):
    report = text_field(_("completion report"), rows=4)
    based_on_version = version_field()


class NoticeVerifyForm(StepForm):
    accepted = forms.ChoiceField(
        label=_("verification result"),
        choices=[("yes", _("Accepted: the task is done")), ("no", _("Not done: return it"))],
        widget=forms.RadioSelect,
    )
    verification = text_field(_("verification"))
    based_on_version = version_field()

    def setup(self) -> None:
        self.fields["accepted"].widget.attrs["class"] = RADIO_CLASS


class WeeklyReviewForm(StepForm):
    remarks = text_field(_("remarks"), required=False, rows=3)
