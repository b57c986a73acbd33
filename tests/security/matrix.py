"""THE URL PERMISSION MATRIX: every URL pattern of the project declares who may reach it.

test_matrix.py walks the project's URL resolver (every pattern, every included namespace, the admin)
and, for every pattern and every role below, requests the URL as that role in a world of real objects
(tests/security/world.py), then asserts
  1. the status declared here, and
  2. that no identifier of a case the role may not see (party names, dates of birth, employee numbers,
     phones, emails, addresses, safe-contact codewords, the case reference) appears in the response.
A pattern with no entry here fails the suite. So does an entry whose pattern no longer exists.

HOW TO ADD YOUR URL (one entry in EXPECTATIONS, keyed by the URL name "namespace:name"):

    "cases:inbox": page(ok={COORDINATOR, PARTY}),                # a role-only page: everyone else 403
    "cases:detail": case_object(ok={COORDINATOR, SOO, PSD}),     # names a case: everyone else 404
    "cases:triage": case_object(ok={COORDINATOR}, post=OK_OR_REDIRECT),  # also POSTs (empty form)
    "oversight:accept": case_object(ok={SOO}, kwargs=lambda w: {"public_id": w.allocation_a.public_id}),

- `ok` is the set of roles that may use the page; ANONYMOUS gets LOGIN and PASSWORD_ONLY gets OTP
  automatically. Override single roles with keyword arguments: page(ok={COORDINATOR}, AUDITOR=OK).
- POLICY (docs/security.md): a URL that names an object the user may not see answers 404, whether the
  object exists or not, so existence never leaks; a page that only needs a role answers 403.
  case_object() encodes the first, page() the second; a test rejects 403 on a URL with object kwargs.
- URL kwargs are filled by name from KWARGS below (public_id -> case A's UUID). A new kwarg name fails
  with a message: add it to KWARGS, or give the entry kwargs=lambda w: {...}.
- "Which cases may this role see" comes from the world (World.visible): case A is allocated to SOO,
  assigned to PSD, and SOO_STALE (not allocated) still holds a grant on it; case B is allocated to
  SOO_OTHER; the coordinator sees both; PARTY is a coordinator who is case A's victim, LINE_MANAGER
  manages case A's suspect (both must never see case A).
- A page that legitimately shows a kind of identifier to a role that cannot see the case (e.g. the audit
  trail shows case references to the auditor; the admin's staff directory shows staff names) declares
  it with a reason: may_show={"reference": "why"}. Kinds: "reference", "staff", "personal".
- A new role (e.g. panel chair): add it to ROLES and to world.py; page()/case_object() give it the
  `deny` default, so only pages it may use need editing.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.urls import reverse

from ppda import audit

# ---- roles (the cast: world.py builds one user per role) -------------------------------------------
ANONYMOUS = "anonymous"
PASSWORD_ONLY = "password_only"  # a coordinator who passed the password step but not the second factor
COORDINATOR = "coordinator"
SOO = "soo_allocated"  # SOO allocated to case A
SOO_OTHER = "soo_other"  # SOO allocated to case B only
SOO_STALE = "soo_stale_grant"  # SOO not allocated to case A who still holds a grant on it, and has opened it
PSD = "psd_assigned"  # PSD representative assigned to case A
PSD_OTHER = "psd_unassigned"
AUDITOR = "auditor"
SUPERUSER = "superuser_no_role"
PARTY = "party"  # case A's victim, a coordinator by role
LINE_MANAGER = "party_line_manager"  # SOO + PSD rep who manages case A's suspect and holds a grant on A
PANEL_CHAIR = "panel_chair"  # panel roles: they see only anonymised forms, through panels (none identified)
PANEL_MEMBER = "panel_member"  # a partner-agency member (no staff record) of the world's meeting on case A
PANEL_MEMBER_OTHER = "panel_member_other"  # a member of another meeting only (case B's)
# A coordinator who declared a conflict on first opening case A (issue 17): like PARTY, a coordinator who may open
# case B and never case A, so every entry gives them PARTY's status unless it names them.
CONFLICTED = "coordinator_conflicted"

ROLES = (
    ANONYMOUS,
    PASSWORD_ONLY,
    COORDINATOR,
    SOO,
    SOO_OTHER,
    SOO_STALE,
    PSD,
    PSD_OTHER,
    AUDITOR,
    SUPERUSER,
    PARTY,
    LINE_MANAGER,
    PANEL_CHAIR,
    PANEL_MEMBER,
    PANEL_MEMBER_OTHER,
    CONFLICTED,
)
SIGNED_IN = tuple(r for r in ROLES if r not in (ANONYMOUS, PASSWORD_ONLY))


# ---- statuses ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Status:
    """An expected response: exact codes, optionally a redirect whose target path starts with one of `to`."""

    name: str
    codes: tuple[int, ...]
    to: tuple[str, ...] = ()  # URL names; the Location path must start with one of them

    def matches(self, response) -> bool:
        if response.status_code not in self.codes:
            return False
        if not self.to:
            return True
        location = response.headers.get("Location", "")
        return any(location.startswith(reverse(name)) for name in self.to)

    def __str__(self):
        return self.name


OK = Status("OK (200)", (200,))
FORBIDDEN = Status("FORBIDDEN (403)", (403,))
NOT_FOUND = Status("NOT_FOUND (404)", (404,))
NOT_ALLOWED = Status("METHOD NOT ALLOWED (405)", (405,))
REDIRECT = Status("REDIRECT (3xx)", (301, 302, 303))
OK_OR_REDIRECT = Status("OK or REDIRECT", (200, 301, 302, 303))
LOGIN = Status("LOGIN (redirect to the login page)", (302,), ("accounts:login",))
OTP = Status("OTP (redirect to the second factor)", (302,), ("accounts:otp_verify", "accounts:otp_enrol"))
ADMIN_LOGIN = Status("ADMIN_LOGIN (redirect to the admin login)", (302,), ("admin:login",))


def status(value) -> Status:
    if isinstance(value, Status):
        return value
    if isinstance(value, int):
        return Status(str(value), (value,))
    raise TypeError(f"Not a status: {value!r}")


# ---- entries -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expect:
    get: Mapping[str, Status]
    post: Mapping[str, Status] | None = None
    post_data: Callable | None = None  # world -> dict
    kwargs: Callable | None = None  # world -> dict, instead of KWARGS by name
    args: Callable | None = None  # world -> list, for patterns with positional groups
    path: Callable | None = None  # world -> str, for patterns without a name
    query: str = ""
    may_show: Mapping[str, str] = field(default_factory=dict)


def _by_role(ok, ok_status, deny, overrides) -> dict[str, Status]:
    out = {}
    for role in ROLES:
        if role == ANONYMOUS:
            out[role] = LOGIN
        elif role == PASSWORD_ONLY:
            out[role] = OTP
        else:
            out[role] = ok_status if role in ok else deny
    if CONFLICTED not in ok:
        out[CONFLICTED] = out[PARTY]
    for role_const, value in overrides.items():
        role = globals()[role_const]
        out[role] = status(value)
    return out


def page(ok=(), *, status_ok=OK, deny=FORBIDDEN, post=None, **kw) -> Expect:
    """A page behind the sign-in gate that needs a role: roles in `ok` get `status_ok`, others `deny` (403).

    Role overrides are keyword arguments named after the constants (AUDITOR=OK); anything else
    (kwargs, args, path, post_data, query, may_show) goes to Expect.
    """
    overrides = {k: kw.pop(k) for k in list(kw) if k.isupper()}
    get = _by_role(ok, status(status_ok), status(deny), overrides)
    post_map = _by_role(ok, status(post), status(deny), overrides) if post is not None else None
    return Expect(get=get, post=post_map, **kw)


def case_object(ok=(), **kw) -> Expect:
    """A URL naming a case (or something of a case): roles in `ok` use it, everyone else gets 404."""
    kw.setdefault("deny", NOT_FOUND)
    return page(ok, **kw)


def explicit(get: Mapping[str, object], post: Mapping[str, object] | None = None, **kw) -> Expect:
    """Every role spelled out (for the sign-in pages and other special cases)."""
    missing = set(ROLES) - set(get)
    if missing:
        raise ValueError(f"explicit() needs every role; missing {sorted(missing)}")
    return Expect(
        get={r: status(v) for r, v in get.items()},
        post={r: status(v) for r, v in post.items()} if post else None,
        **kw,
    )


def everyone(value, **overrides) -> dict[str, object]:
    out = dict.fromkeys(ROLES, value)
    out.update({globals()[k]: v for k, v in overrides.items()})
    if "CONFLICTED" not in overrides:
        out[CONFLICTED] = out[PARTY]
    return out


# ---- URL kwargs by name ------------------------------------------------------------------------------
# name -> function(world) giving the value. Object URLs point at case A (or its objects): the roles
# that may see case A expect OK, everyone else NOT_FOUND.
KWARGS: dict[str, Callable] = {
    "key_id": lambda w: 2_000_000_000,  # a security key nobody has
    "public_id": lambda w: w.case_a.public_id,
    "case_id": lambda w: w.case_a.public_id,
    "case_public_id": lambda w: w.case_a.public_id,
    "allocation_id": lambda w: w.allocation_a.public_id,
    "contact_id": lambda w: w.contact_a.public_id,  # a contact on case A's allocation
    # panels: the world's published meeting on case A, its item, the member's attendance, an action, a pack.
    "meeting_id": lambda w: w.panel.meeting.public_id,
    "item_id": lambda w: w.panel.item.public_id,
    "attendee_id": lambda w: w.panel.member_attendee.pk,
    "action_id": lambda w: w.panel.action.pk,
    "pack_id": lambda w: w.panel.pack.public_id,
    # The admin's: object_id is filled per model by the checker (the world's object of the admin's model).
    "app_label": lambda w: "ppda",
    "url": lambda w: "no-such-page/",
}


# Kwargs that name an object: such URLs answer 404 to anyone who may not see the object.
OBJECT_KWARGS = set(audit.OBJECT_KWARGS)


# ---- the admin ---------------------------------------------------------------------------------------
# One rule for every admin page: only staff users (here the superuser with no role) get in, behind the
# second factor. The superuser sees the staff directory (names, employee numbers), never case content:
# if a case model is ever registered in the admin, the leak check fails for the superuser.
_ADMIN_SHOWS = {"staff": "the admin shows the staff directory, without any link to a case"}
ADMIN_PAGE = page(ok={SUPERUSER}, deny=ADMIN_LOGIN, may_show=_ADMIN_SHOWS)
ADMIN_REDIRECT = page(ok={SUPERUSER}, status_ok=REDIRECT, deny=ADMIN_LOGIN, may_show=_ADMIN_SHOWS)


# ---- panels --------------------------------------------------------------------------------------------
PANEL_ATTENDEES = (PANEL_CHAIR, PANEL_MEMBER, PSD)
# Everyone with a role that has a panel page (coordinators, panel roles, PSD representatives, SOOs' slots).
PANEL_HOME = (
    COORDINATOR,
    PARTY,
    SOO,
    SOO_OTHER,
    SOO_STALE,
    PSD,
    PSD_OTHER,
    LINE_MANAGER,
    PANEL_CHAIR,
    PANEL_MEMBER,
    PANEL_MEMBER_OTHER,
)


def _panel_post(ok, post_status) -> Expect:
    """A POST-only panel action on an object: GET is 405 to every signed-in user; POST is `post_status` for `ok`
    and 404 for everyone else."""
    get = everyone(NOT_ALLOWED, ANONYMOUS=LOGIN, PASSWORD_ONLY=OTP)
    post = everyone(NOT_FOUND, ANONYMOUS=LOGIN, PASSWORD_ONLY=OTP)
    post.update(dict.fromkeys(ok | ({CONFLICTED} if PARTY in ok else set()), post_status))
    return explicit(get, post=post)


# ---- the declarations --------------------------------------------------------------------------------
EXPECTATIONS: dict[str, Expect] = {
    # The sign-in pages are the only ones open before both factors (ppda/middleware.py).
    "health": explicit(everyone(OK)),
    "accounts:login": explicit(everyone(OK)),
    "accounts:logout": explicit(everyone(NOT_ALLOWED), post=everyone(LOGIN)),
    # Single sign-on is not configured in the matrix's world: both ends answer 404 to everyone
    # (tests/ppda/test_accounts_sso.py signs in through a real provider).
    "accounts:sso_start": explicit(everyone(NOT_FOUND)),
    "accounts:sso_callback": explicit(everyone(NOT_FOUND)),
    # The second-factor step: the password-only session gets the form, a verified one is sent home.
    "accounts:otp_verify": explicit(everyone(REDIRECT, ANONYMOUS=LOGIN, PASSWORD_ONLY=OK)),
    "accounts:otp_enrol": explicit(everyone(REDIRECT, ANONYMOUS=LOGIN)),
    # The QR code exists only while an authenticator is being set up; nobody in the world is doing so.
    "accounts:otp_enrol_qr": explicit(everyone(NOT_FOUND, ANONYMOUS=LOGIN)),
    # Each user's own account security (ppda/accounts): every signed-in user, about themselves only.
    "accounts:security": page(ok=SIGNED_IN),
    "accounts:sessions_end_others": page(ok=SIGNED_IN, status_ok=NOT_ALLOWED, post=REDIRECT),
    "accounts:password_change": page(ok=SIGNED_IN, post=OK),
    "accounts:backup_codes_regenerate": page(ok=SIGNED_IN, post=OK),
    "accounts:authenticator_reset": page(ok=SIGNED_IN, post=OK),
    # Passkeys and security keys (ppda/accounts/webauthn.py, django-otp-webauthn's JSON ceremonies, POST only).
    # Removing a key: the user's own only; nobody in the world has one, so every POST is 404.
    "accounts:security_key_remove": page(ok=SIGNED_IN, status_ok=NOT_ALLOWED, post=NOT_FOUND),
    # Registering needs a verified session; using a key is the second step, open to the password-only session.
    "otp_webauthn:credential-registration-begin": page(ok=SIGNED_IN, status_ok=NOT_ALLOWED),
    "otp_webauthn:credential-registration-complete": page(ok=SIGNED_IN, status_ok=NOT_ALLOWED),
    "otp_webauthn:credential-authentication-begin": explicit(everyone(NOT_ALLOWED, ANONYMOUS=LOGIN)),
    "otp_webauthn:credential-authentication-complete": explicit(everyone(NOT_ALLOWED, ANONYMOUS=LOGIN)),
    "otp_webauthn:js-i18n-catalog": explicit(everyone(OK, ANONYMOUS=LOGIN)),
    "home": page(ok=SIGNED_IN),
    # Static text, for every signed-in user; make bench's signed-in floor (ppda/views.py).
    "accessibility": page(ok=SIGNED_IN),
    # The JSON intake API authenticates sending systems by token, not by session (cases/api.py): the
    # same answer for every role. Its OpenAPI description is public and carries no case data.
    "api_case_intake": explicit(everyone(NOT_ALLOWED), post=everyone(401)),
    "api_openapi": explicit(everyone(OK)),
    # --- cases (cases/views.py): coordinator pages 403; case URLs 404 to whoever may not do this to the
    # case, even when they may see it (one policy: docs/security.md). The first open of a case needs the
    # declaration: the world's PSD representative has not made it yet, so is sent to it.
    "cases:inbox": page(ok={COORDINATOR, PARTY}),
    "cases:intake": page(ok={COORDINATOR, PARTY}, post=OK),
    # The rota is the directory of chief inspectors: it names staff, never which case they are party to.
    "cases:rota": page(
        ok={COORDINATOR, PARTY}, post=OK, may_show={"staff": "the rota names chief inspectors, not their cases"}
    ),
    "cases:detail": case_object(ok={COORDINATOR, SOO, SOO_STALE}, PSD=REDIRECT),
    "cases:intake_done": case_object(ok={COORDINATOR}),
    # Already declared: straight on to the case. Not yet (PSD): the form, which names the parties.
    "cases:declare": case_object(ok={PSD}, COORDINATOR=REDIRECT, SOO=REDIRECT, SOO_STALE=REDIRECT, post=OK),
    "cases:assign": explicit(
        everyone(NOT_ALLOWED, ANONYMOUS=LOGIN, PASSWORD_ONLY=OTP),
        post=everyone(NOT_FOUND, ANONYMOUS=LOGIN, PASSWORD_ONLY=OTP, COORDINATOR=REDIRECT),
    ),
    # Case A is already triaged, so the form sends the coordinator back to the case.
    "cases:triage": case_object(ok={COORDINATOR}, status_ok=REDIRECT, post=REDIRECT),
    "cases:link_create": case_object(ok={COORDINATOR}, post=OK),
    # --- contacts (oversight/contacts): the allocated SOO reads and writes; coordinators read only. Nobody
    # else, even seeing the case: not the PSD representative, not an SOO with a lingering grant (SOO_STALE).
    # The SOO's POST is an invalid (empty) form: 200 with its errors, as in every app.
    "contacts:overdue": page(ok={COORDINATOR, PARTY}),
    "contacts:detail": case_object(ok={COORDINATOR, SOO}),
    "contacts:create": case_object(ok={SOO}, post=OK),
    "contacts:engagement": case_object(ok={SOO}, post=OK),
    "contacts:schedule": case_object(ok={SOO}, post=OK),
    # Correcting a saved contact: the allocated SOO only (a coordinator reads the log, never corrects it).
    "contacts:correct": case_object(ok={SOO}, post=OK),
    # --- allocation (oversight/views.py): every case URL is the coordinators' (404 to all others, an SOO
    # included); allocation URLs are the allocated SOO's (and the pack also the coordinators').
    "oversight:dashboard": page(ok={SOO, SOO_OTHER, SOO_STALE, LINE_MANAGER}),
    "oversight:declarations": page(ok={COORDINATOR, PARTY, SOO, SOO_OTHER, SOO_STALE, LINE_MANAGER}, post=OK),
    "oversight:allocate": case_object(ok={COORDINATOR}, post=OK),
    "oversight:end": explicit(
        everyone(NOT_ALLOWED, ANONYMOUS=LOGIN, PASSWORD_ONLY=OTP),
        post=everyone(NOT_FOUND, ANONYMOUS=LOGIN, PASSWORD_ONLY=OTP, COORDINATOR=REDIRECT),
    ),
    "oversight:respond": case_object(ok={SOO}, post=OK, kwargs=lambda w: {"public_id": w.allocation_a.public_id}),
    "oversight:pack": case_object(ok={SOO, COORDINATOR}, kwargs=lambda w: {"public_id": w.allocation_a.public_id}),
    # --- the case update form (oversight/update_form): the allocated SOO (accepted) reads and writes it;
    # coordinators read it (404 on a section's edit page, like everyone else). Nobody else, whatever grant
    # they hold: the PSD representative's access comes with PSD assignment (later), panel roles see only
    # the anonymised rendering through panels. The panel view and its PDF are the SOO's and coordinators'
    # preview of what a panel will see.
    # The assigned PSD representative reads it too (read-only); the world's has not declared yet: redirected.
    "update_form:detail": case_object(ok={COORDINATOR, SOO}, PSD=REDIRECT),
    "update_form:history": case_object(ok={COORDINATOR, SOO}, PSD=REDIRECT),
    "update_form:panel_view": case_object(ok={COORDINATOR, SOO}, PSD=REDIRECT),
    "update_form:panel_pdf": case_object(ok={COORDINATOR, SOO}, PSD=REDIRECT),
    # An empty POST: refused with errors (200) where the section requires answers, saved (redirect) where not.
    "update_form:overview": case_object(ok={SOO}, post=OK_OR_REDIRECT),
    "update_form:support": case_object(ok={SOO}, post=OK_OR_REDIRECT),
    "update_form:investigation": case_object(ok={SOO}, post=OK_OR_REDIRECT),
    "update_form:concerns": case_object(ok={SOO}, post=OK_OR_REDIRECT),
    "update_form:feedback": case_object(ok={SOO}, post=OK_OR_REDIRECT),
    # --- investigations (cases/investigations): the assigned PSD representative reads and posts (the world's
    # has not declared on case A yet, so is sent to the declaration); coordinators and the accepted SOO read;
    # coordinators assign. Nobody else, whatever grant or role they hold: not the unassigned PSD representative,
    # not the line manager who is a PSD representative with a grant, not an SOO with a lingering grant.
    "cases:psd_cases": page(ok={PSD, PSD_OTHER, LINE_MANAGER}),
    "cases:investigation": case_object(ok={COORDINATOR, SOO}, PSD=REDIRECT),
    "cases:timeline": case_object(ok={COORDINATOR, SOO}, PSD=REDIRECT),
    "cases:investigation_open": case_object(PSD=REDIRECT, post=REDIRECT),
    "cases:investigation_update": case_object(PSD=REDIRECT, post=REDIRECT),
    "cases:psd_assign": case_object(ok={COORDINATOR}, post=OK),
    # --- closure (oversight/closure): the allocated SOO's page (an empty POST saves an empty draft and
    # redirects back); the coordinators' read-only review and the reopen action (an empty form answers 200).
    "closure:edit": case_object(ok={SOO}, post=REDIRECT),
    "closure:review": case_object(ok={COORDINATOR}),
    "closure:reopen": case_object(ok={COORDINATOR}, post=OK),
    # --- retention reviews (oversight/retention): the coordinators' queue (a role page; PARTY is a coordinator and
    # sees the page but never case A in it) and one case's decision (case A is open: the page says so and an
    # empty POST is a form error).
    "retention:queue": page(ok={COORDINATOR, PARTY}),
    "retention:decide": case_object(ok={COORDINATOR}, post=OK),
    # --- statistics (oversight/statistics): the coordinators' exact page and their exports (figure exports
    # suppressed; the case-level ones list only cases the user may see, never their own: PARTY's list leaves
    # case A out). The panel chair's reduced view is suppressed, shows no case identifier, and coordinators
    # may preview it. Nobody else: not SOOs, not PSD, not the auditor.
    "statistics:index": page(ok={COORDINATOR, PARTY}),
    "statistics:reduced": page(ok={COORDINATOR, PARTY, PANEL_CHAIR}),
    "statistics:figures_csv": page(ok={COORDINATOR, PARTY}),
    "statistics:figures_xlsx": page(ok={COORDINATOR, PARTY}),
    "statistics:inspection_xlsx": page(ok={COORDINATOR, PARTY}),
    "statistics:case_list_csv": page(ok={COORDINATOR, PARTY}),
    # The spreadsheet import: an empty POST is a form error (200), nothing written.
    "statistics:import": page(ok={COORDINATOR, PARTY}, post=OK),
    # --- scrutiny panels (panels/): the world's meeting is published with case A on its agenda; PANEL_CHAIR
    # chairs it, PANEL_MEMBER attends (a partner, no staff record), PSD is its PSD representative (all three have
    # accepted the statement); SOO is invited to case A's slot. PANEL_MEMBER_OTHER attends another meeting
    # (case B's) only. Coordinators build agendas (PARTY is one: they see the meeting, never case A's reference).
    # Actions are POST-only (405 to a GET); the guard answers 404 to anyone not theirs.
    "panels:index": page(ok=set(PANEL_HOME)),
    "panels:meeting_create": page(ok={COORDINATOR, PARTY}, post=OK),
    "panels:meeting": case_object(ok={COORDINATOR, PARTY, PANEL_CHAIR}),
    "panels:item_add": _panel_post({COORDINATOR, PARTY}, OK),
    "panels:item_remove": _panel_post({COORDINATOR, PARTY}, REDIRECT),
    "panels:attendee_add": _panel_post({COORDINATOR, PARTY}, OK),
    "panels:attendee_remove": _panel_post({COORDINATOR, PARTY}, REDIRECT),
    "panels:publish": _panel_post({COORDINATOR, PARTY}, REDIRECT),
    "panels:hold": _panel_post({COORDINATOR, PARTY, PANEL_CHAIR}, REDIRECT),
    "panels:approve": _panel_post({PANEL_CHAIR}, REDIRECT),
    # An empty outcome is a valid one (every field optional): saved, back to the meeting.
    "panels:outcome": case_object(ok={PANEL_CHAIR}, post=REDIRECT),
    "panels:action_add": _panel_post({PANEL_CHAIR}, OK),
    "panels:action_done": _panel_post({PANEL_CHAIR}, REDIRECT),
    # Before the minutes are approved an amendment is an edit: sent to the outcome page.
    "panels:amend": case_object(ok={PANEL_CHAIR}, status_ok=REDIRECT, post=REDIRECT),
    "panels:statement": case_object(ok=set(PANEL_ATTENDEES), post=OK),
    "panels:papers": case_object(ok=set(PANEL_ATTENDEES)),
    "panels:pack_request": _panel_post(set(PANEL_ATTENDEES), REDIRECT),
    "panels:paper": case_object(ok=set(PANEL_ATTENDEES)),
    # The PSD representative has not opened case A yet: the declaration form (names: PSD may see case A).
    "panels:identified": case_object(ok={PSD}, post=OK),
    "panels:slot": case_object(ok={SOO}),
    "panels:pack_download": case_object(ok={PANEL_MEMBER}),
    # --- notifications: each user's own; marking read is POST-only and scoped to the recipient.
    "notifications:list": page(ok=SIGNED_IN),
    "notifications:read_all": page(ok=SIGNED_IN, status_ok=NOT_ALLOWED, post=REDIRECT),
    "notifications:read": page(
        ok=SIGNED_IN, status_ok=NOT_ALLOWED, post=REDIRECT, kwargs=lambda w: {"pk": w.notification.pk}
    ),
    # The auditor's trail: auditors only (not superusers, not coordinators). It shows case references
    # (that is how an auditor asks "who accessed case X") and never case content.
    "audit:index": page(ok={AUDITOR}, may_show={"reference": "the audit trail lists case references"}),
    "audit:export": page(ok={AUDITOR}, may_show={"reference": "the audit trail lists case references"}),
    # Who held which role and case grant, when (the grant history): the same rule, the same kind of content.
    "audit:grants": page(ok={AUDITOR}, may_show={"reference": "the grant history lists case references"}),
    "audit:grants_export": page(ok={AUDITOR}, may_show={"reference": "the grant history lists case references"}),
    # --- the admin ---
    # The admin's own login and logout are never used (ppda/admin.py): ours are. A verified user who is not
    # a superuser is refused; staff status alone is not enough.
    "admin:login": page(ok={SUPERUSER}, status_ok=REDIRECT),
    "admin:logout": page(ok=SIGNED_IN, status_ok=REDIRECT, SUPERUSER=NOT_ALLOWED),
    # Lockouts are created by failed sign-ins only, never by hand.
    "admin:ppda_signinlockout_add": page(ok={SUPERUSER}, status_ok=FORBIDDEN, deny=ADMIN_LOGIN),
    # No ModelAdmin here uses autocomplete_fields: the endpoint refuses every request.
    "admin:autocomplete": page(ok={SUPERUSER}, status_ok=FORBIDDEN, deny=ADMIN_LOGIN),
    # Asked for a case by its integer id, the admin must not redirect to the case (existence, UUID).
    "admin:view_on_site": page(ok={SUPERUSER}, status_ok=NOT_FOUND, deny=ADMIN_LOGIN),
    "admin:*_simple_history": page(ok={SUPERUSER}, deny=ADMIN_LOGIN, may_show=_ADMIN_SHOWS),
    # Staff records and accounts are never deleted (a delete page would list case membership): back to the record.
    "admin:ppda_staffmember_delete": ADMIN_REDIRECT,
    "admin:ppda_user_delete": ADMIN_REDIRECT,
    "admin:*_delete": ADMIN_PAGE,
    "admin:password_change_done": ADMIN_PAGE,
    "admin:*": ADMIN_PAGE,
    # The admin's unnamed patterns: "<model>/<id>/" redirects to the change page; the catch-all.
    "admin/*/<path:object_id>/": ADMIN_REDIRECT,
    "admin/(?P<url>.*)$": page(ok={SUPERUSER}, status_ok=NOT_FOUND, deny=ADMIN_LOGIN),
}


# Defects the matrix found on main that are being fixed elsewhere: (key, role, method) -> where.
# Each is an xfail(strict=True): once the fix lands the test passes, strict turns that into a failure,
# and the entry must be removed here. The list can only shrink.
KNOWN_DEFECTS: dict[tuple[str, str, str], str] = {}


def lookup(key: str) -> tuple[str, Expect] | None:
    """The entry for a pattern key: an exact key first, then the most specific glob (longest pattern)."""
    if key in EXPECTATIONS:
        return key, EXPECTATIONS[key]
    # A key with "*" is a glob; keys with "(" are raw regex routes of unnamed patterns, matched exactly.
    globs = [k for k in EXPECTATIONS if "*" in k and "(" not in k and fnmatch.fnmatchcase(key, k)]
    if not globs:
        return None
    best = max(globs, key=len)
    return best, EXPECTATIONS[best]
