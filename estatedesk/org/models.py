"""Estates, buildings, units, customers, departments and staff (SPEC §0)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from estatedesk.core import crypto, i18n, officehours
from estatedesk.core.fields import EncryptedTextField
from estatedesk.core.versioning import Versioned


class EstateKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential compound")
    OFFICE = "office", _("Office building")


def validate_service_phone(value: str) -> None:
    """An office number as residents dial it (0755-86008801, 400-800-1234): 7 to 15 digits."""
    if value and not crypto.is_valid_phone(value):
        raise ValidationError(_("Enter a phone number of 7 to 15 digits, for example 13812341234."))


class Estate(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=EstateKind.choices, default=EstateKind.RESIDENTIAL
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    # The number residents call (客服电话 of the management office): public, not personal data.
    service_phone = models.CharField(
        _("service phone"),
        max_length=30,
        blank=True,
        help_text=_("The management office's number for residents; shown on the resident portal."),
        validators=[validate_service_phone],
    )
    office_hours = models.CharField(
        _("office hours"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the company's default office hours"),
        validators=[officehours.validate],
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=50)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["estate_id", "name"]
        constraints = [models.UniqueConstraint(fields=["estate", "name"], name="building_unique_name")]

    def __str__(self) -> str:
        return f"{self.estate.name} {self.name}"


class UnitKind(models.TextChoices):
    FLAT = "flat", _("Flat")
    SHOP = "shop", _("Shop")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


class Unit(models.Model):
    # estate is kept on the unit (it equals building.estate) so scope checks need no join.
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="units", verbose_name=_("estate")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    number = models.CharField(_("unit number"), max_length=30)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=UnitKind.choices, default=UnitKind.FLAT)
    occupied = models.BooleanField(_("occupied"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        # Floor before number so that 101 comes before 1001 without parsing numbers.
        ordering = ["building_id", "floor", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number")]
        indexes = [
            models.Index(fields=["estate", "building", "floor", "number"], name="unit_estate_order"),
            models.Index(fields=["building", "floor", "number"], name="unit_building_order"),
        ]

    def __str__(self) -> str:
        return f"{self.building.name}-{self.number}"

    @property
    def label(self) -> str:
        return f"{self.building.name}-{self.number}"


class CustomerKind(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    OFFICE_TENANT = "office_tenant", _("Office tenant organisation")


class Customer(models.Model):
    """An owner, tenant or tenant organisation. Phone numbers are encrypted (SPEC D-3)."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="customers", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(
        _("customer type"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.OWNER
    )
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    units = models.ManyToManyField(
        Unit, through="Occupancy", related_name="customers", verbose_name=_("units")
    )
    history = HistoricalRecords(excluded_fields=["phone_index"])

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["estate_id", "name", "id"]
        indexes = [models.Index(fields=["estate", "name", "id"], name="customer_estate_order")]

    def __str__(self) -> str:
        return self.name

    def set_phone(self, value: str) -> None:
        self.phone = crypto.normalise_phone(value)
        self.phone_index = crypto.blind_index(value)

    @property
    def masked_phone(self) -> str:
        return crypto.mask_phone(self.phone)


class Occupancy(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="occupancies", verbose_name=_("unit")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="occupancies", verbose_name=_("customer")
    )
    relation = models.CharField(
        _("relation"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.OWNER
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("occupancy")
        verbose_name_plural = _("occupancies")
        constraints = [models.UniqueConstraint(fields=["unit", "customer"], name="occupancy_unique")]

    def __str__(self) -> str:
        return f"{self.customer} @ {self.unit}"


class CommitteeMember(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, related_name="committee", verbose_name=_("estate")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=50)
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("owners' committee member")
        verbose_name_plural = _("owners' committee members")
        ordering = ["estate_id", "id"]

    def __str__(self) -> str:
        return gettext("%(name)s (%(role)s)") % {"name": self.name, "role": self.position}


class Developer(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    estates = models.ManyToManyField(Estate, blank=True, related_name="developers", verbose_name=_("estates"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("developer")
        verbose_name_plural = _("developers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentKind(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    ENGINEERING = "engineering", _("Engineering")
    SECURITY = "security", _("Security")
    CLEANING = "cleaning", _("Cleaning")
    LANDSCAPING = "landscaping", _("Landscaping")
    FINANCE = "finance", _("Finance")
    MANAGEMENT_OFFICE = "management_office", _("Management office")
    DEVELOPER_CS = "developer_cs", _("Developer customer service")
    RECTIFICATION_TEAM = "rectification_team", _("Rectification team")
    OTHER = "other", _("Other")


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=DepartmentKind.choices)
    estate = models.ForeignKey(
        Estate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("estate"),
        help_text=_("Only for a management office or a team that serves one estate"),
    )
    developer = models.ForeignKey(
        Developer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("developer"),
        help_text=_("For departments outside the company that belong to a developer"),
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def external(self) -> bool:
        return self.developer_id is not None


class Role(models.TextChoices):
    DUTY_STAFF = "duty_staff", _("Duty staff")
    HANDLER = "handler", _("Complaint handler")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    CS_SUPERVISOR = "cs_supervisor", _("Customer-service supervisor")
    DEPUTY_GM = "deputy_gm", _("Deputy general manager")
    GM = "gm", _("General manager")
    DEVELOPER_CS = "developer_cs", _("Developer customer service")
    RECTIFICATION = "rectification", _("Rectification team member")
    AUDITOR = "auditor", _("Auditor (read-only)")
    ADMIN = "admin", _("System administrator")


class Staff(models.Model):
    """A staff member's role and scope. Residents never have a Staff row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff", verbose_name=_("user")
    )
    display_name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    estates = models.ManyToManyField(Estate, blank=True, related_name="staff", verbose_name=_("estates"))
    departments = models.ManyToManyField(
        Department, blank=True, related_name="staff", verbose_name=_("departments")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["role", "display_name"]

    def __str__(self) -> str:
        return gettext("%(name)s (%(role)s)") % {"name": self.display_name, "role": self.get_role_display()}


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One upload of a roster file and what its import did (see org/import_service.py)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Relative to MEDIA_ROOT; the name is made by the server, never taken from the upload.
    file = models.CharField(_("file"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    # The uploader's language: the reasons for rejected rows are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    # Records created / updated per kind: {"units": {"created": 3, "updated": 1}, …}
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # [{"row": 7, "reason": "…", "code": msgid, "params": {…}}], spreadsheet row numbers (header = 1)
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class PrivacyNotice(models.Model):
    """The privacy notice residents read on the portal before they send anything (PIPL art. 17,
    SPEC D-3, W-1): who processes their data, for what, how long it is kept, their rights and
    whom to contact.

    A published version is never changed: a new text is a new version, and every complaint
    sent through the portal points at the version its sender was shown. The versions are the
    notice's history, so it carries no ``HistoricalRecords``.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    text_zh_hans = models.TextField(_("text in Simplified Chinese"))
    text_zh_hant = models.TextField(_("text in Traditional Chinese"), blank=True)
    text_en = models.TextField(_("text in English"), blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    # Kept beside the account, so the name stays if the account is removed.
    published_by_name = models.CharField(_("published by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-version"]

    def __str__(self) -> str:
        return str(_("Privacy notice, version %(version)d") % {"version": self.version})

    def text_for(self, language: str | None) -> str:
        """The text in a page's language; Simplified Chinese where no other text was written."""
        return i18n.text_in(language, self.text_zh_hans, self.text_zh_hant, self.text_en)


class ChannelKind(models.TextChoices):
    """How a channel reaches people: the product delivers online ones itself (portal, SMS,
    e-mail, WeChat); the others are kept on record (a notice sheet posted, a phone call)."""

    OFFLINE = "offline", _("Recorded by staff")
    ONLINE = "online", _("Delivered by EstateDesk")


class Channel(Versioned):
    """A way of communicating with customers (SPEC C-1, §7.1.1), kept by administrators.

    The list is seeded with the procedure's channels and the online ones the product adds
    (migration ``0006_channels``); administrators add, rename, reorder and switch off their
    own. Each says what it may be used for: complaints (how a complaint came in), notices
    (how a notice reaches people) and the communication log (how a contact took place).
    Records keep the channel's ``code``; a built-in code (``BUILT_IN_CHANNELS``) carries
    behaviour (the portal, SMS, a complaint made to the company) and is never deleted.
    Written only by ``org.channels``.
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=50)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ChannelKind.choices, default=ChannelKind.OFFLINE
    )
    for_complaints = models.BooleanField(_("complaints come in by it"), default=False)
    for_notices = models.BooleanField(_("notices go out by it"), default=False)
    for_log = models.BooleanField(_("contacts take place by it"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("communication channel")
        verbose_name_plural = _("communication channels")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_in(get_language())

    def name_in(self, language: str | None) -> str:
        return i18n.text_in(language, self.name_zh_hans, self.name_zh_hant, self.name_en)

    @property
    def built_in(self) -> bool:
        return self.code in BUILT_IN_CHANNELS


# Codes the product gives a meaning to (the portal, the outbox's channels, the complaints made
# to the company or the group that go to the deputy GM or the GM): never deleted or recoded.
BUILT_IN_CHANNELS = frozenset(
    {
        "portal",
        "sms",
        "email",
        "wechat",
        "notice_sheet",
        "warning_sign",
        "phone",
        "face_to_face",
        "letter",
        "suggestion_box",
        "return_visit",
        "company",
        "group_company",
        "media",
        "government",
    }
)
