"""The demo force: shape, fictional people, working demo logins, idempotency, later steps, production refusal."""

import hashlib
import hmac
import sys
import types
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda.demo import DEMO_PASSWORD, FIRST_NAMES, LAST_NAMES, demo_totp_key
from ppda.management.commands import seed_demo
from ppda.management.commands.demo_otp import current_code
from ppda.models import Command, Department, District, GrantEvent, StaffMember, Team, User
from ppda.roles import Role, user_roles

pytestmark = pytest.mark.django_db

Rank = StaffMember.Rank


def seed(**kwargs) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def snapshot() -> dict:
    """Every row count the seed writes, history included."""
    return {
        "commands": Command.objects.count(),
        "departments": Department.objects.count(),
        "teams": Team.objects.count(),
        "districts": District.objects.count(),
        "staff": StaffMember.objects.count(),
        "staff_history": StaffMember.history.count(),
        "users": User.objects.count(),
        "user_history": User.history.count(),
        "groups": User.groups.through.objects.count(),
        "grant_history": GrantEvent.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "managers": StaffMember.objects.filter(line_manager__isnull=False).count(),
        "keys": tuple(TOTPDevice.objects.order_by("user__username").values_list("key", flat=True)),
    }


@pytest.fixture
def no_later_steps(monkeypatch):
    monkeypatch.setattr(seed_demo, "LATER_STEPS", [])


def test_seed_demo_builds_a_realistic_fictional_force(no_later_steps, django_assert_max_num_queries):
    # Bulk inserts: the count does not grow with the staff (the few dozen units use get_or_create).
    with django_assert_max_num_queries(400):
        seed()

    assert Command.objects.count() >= 4 and District.objects.count() >= 6 and Team.objects.count() >= 10
    assert Department.objects.filter(kind=Department.Kind.PSD).exists()
    assert Department.objects.filter(kind=Department.Kind.ACU).exists()
    assert 1900 <= StaffMember.objects.count() <= 2100
    ranks = dict(StaffMember.objects.values_list("rank").annotate(n=Count("id")))
    # A pyramid: each rank up is smaller.
    ladder = [Rank.CONSTABLE, Rank.SERGEANT, Rank.INSPECTOR, Rank.CHIEF_INSPECTOR, Rank.SUPERINTENDENT]
    assert [ranks[r] for r in ladder] == sorted((ranks[r] for r in ladder), reverse=True)
    assert ranks[Rank.CHIEF_CONSTABLE] == 1

    cis = StaffMember.objects.filter(rank=Rank.CHIEF_INSPECTOR)
    assert 55 <= cis.filter(soo_eligible=True).count() <= 65
    assert cis.filter(department__kind__in=[Department.Kind.PSD, Department.Kind.ACU]).count() >= 3
    on_leave = cis.filter(availability=StaffMember.Availability.LEAVE)
    assert on_leave.count() >= 3 and not on_leave.filter(available_from__isnull=True).exists()

    # Everyone but the chief constable has a line manager of a higher rank.
    order = [r for r, _ in Rank.choices]
    no_manager = StaffMember.objects.filter(line_manager__isnull=True)
    assert list(no_manager.values_list("rank", flat=True)) == [Rank.CHIEF_CONSTABLE]
    for rank, manager_rank in StaffMember.objects.values_list("rank", "line_manager__rank").distinct():
        if manager_rank:
            assert order.index(manager_rank) > order.index(rank), (rank, manager_rank)

    # Fictional names only, from our lists; emails on a reserved domain.
    assert set(StaffMember.objects.values_list("first_name", flat=True)) <= set(FIRST_NAMES)
    assert set(StaffMember.objects.values_list("last_name", flat=True)) <= set(LAST_NAMES)
    assert not StaffMember.objects.exclude(work_email__endswith="@demo-constabulary.example").exists()
    # History was written by the bulk insert.
    assert StaffMember.history.count() >= StaffMember.objects.count()


def test_demo_accounts_per_role_with_password_and_device(no_later_steps):
    seed()
    by_role = {role: [u for u in User.objects.all() if role in user_roles(u)] for role in Role}
    assert len(by_role[Role.COORDINATOR]) == 4
    assert len(by_role[Role.PANEL_CHAIR]) == 1
    assert len(by_role[Role.PSD_REP]) == 2
    assert len(by_role[Role.AUDITOR]) == 1
    assert 3 <= len(by_role[Role.SOO]) <= 10
    members = by_role[Role.PANEL_MEMBER]
    partners = [u for u in members if u.staff_id is None]
    assert partners and all(u.organisation for u in partners)
    assert any(u.staff_id for u in members), "police panel members too"
    for soo in by_role[Role.SOO]:
        assert soo.staff.rank == Rank.CHIEF_INSPECTOR and soo.staff.soo_eligible
        assert not soo.staff.in_psd_or_acu and soo.staff.availability == StaffMember.Availability.AVAILABLE
    for psd in by_role[Role.PSD_REP]:
        assert psd.staff.department.kind == Department.Kind.PSD

    for user in User.objects.all():
        assert authenticate(username=user.username, password=DEMO_PASSWORD) == user
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed and device.key == demo_totp_key(user.username)
    # Each role is in the grant history from the start, given by seed_demo (issue 17).
    seeded = set(GrantEvent.objects.filter(source="seed_demo", by=None).values_list("username", "group"))
    assert seeded == set(User.groups.through.objects.values_list("user__username", "group__name"))
    # Demo accounts are plain users: no superuser or staff flag.
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(is_staff=True).exists()


def test_seed_demo_twice_changes_nothing(no_later_steps):
    first_output = seed()
    before = snapshot()
    second_output = seed()
    assert snapshot() == before
    assert "nothing new" in second_output and "nothing new" not in first_output


def test_seed_demo_fills_in_what_is_missing_and_keeps_the_device_key(no_later_steps):
    seed()
    coordinator = User.objects.get(username="coordinator1")
    key = TOTPDevice.objects.get(user=coordinator).key
    TOTPDevice.objects.filter(user=coordinator).delete()
    seed()
    assert TOTPDevice.objects.get(user=coordinator).key == key


def test_seed_demo_runs_later_steps_in_order_and_skips_missing_ones(monkeypatch):
    calls = []

    def make_step(label):
        def step(*, stdout, rng):
            calls.append((label, rng.random()))
            stdout.write(f"{label} ran")

        return step

    for name in ("fake_cases_demo", "fake_oversight_demo"):
        module = types.ModuleType(name)
        module.seed = make_step(name)
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(
        seed_demo,
        "LATER_STEPS",
        [("fake_cases_demo", "seed"), ("no_such_module_demo", "seed"), ("fake_oversight_demo", "seed")],
    )
    output = seed()
    assert [label for label, _ in calls] == ["fake_cases_demo", "fake_oversight_demo"]
    assert "Skipped no_such_module_demo.seed" in output
    # Steps get seeded generators: the same numbers on every run.
    first = [value for _, value in calls]
    calls.clear()
    seed()
    assert [value for _, value in calls] == first


def test_a_broken_import_inside_a_step_is_not_hidden(monkeypatch):
    def broken_import(name, *args, **kwargs):
        raise ModuleNotFoundError("No module named 'missing_dependency'", name="missing_dependency")

    monkeypatch.setattr(seed_demo.importlib, "import_module", broken_import)
    with pytest.raises(ModuleNotFoundError):
        seed_demo.load_step("cases.demo", "seed_cases")


def test_demo_otp_prints_a_code_the_device_accepts(no_later_steps):
    seed()
    out = StringIO()
    call_command("demo_otp", "coordinator1", "--quiet", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    device = TOTPDevice.objects.get(user__username="coordinator1")
    assert device.verify_token(code)


def rfc6238(key_hex: str, at: float, step: int = 30, digits: int = 6) -> str:
    """TOTP written out from RFC 6238 (HMAC-SHA1), independent of django-otp."""
    counter = int(at // step).to_bytes(8, "big")
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def test_demo_otp_code_is_the_standard_totp_of_the_derived_key(no_later_steps):
    seed()
    device = TOTPDevice.objects.get(user__username="auditor")
    for at in (1_800_000_000, 1_800_000_029, 1_800_000_030):
        code, remaining = current_code(device, at=at)
        assert code == rfc6238(demo_totp_key("auditor"), at)
        assert remaining == 30 - (at % 30)


def test_demo_otp_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No confirmed authenticator"):
        call_command("demo_otp", "nobody", stdout=StringIO())


@pytest.mark.parametrize("command", [("demo_otp", "coordinator1"), ("seed_demo",)])
def test_demo_commands_refuse_to_run_in_production(settings, command):
    settings.PPDA_PROFILE = "production"
    with pytest.raises(CommandError, match="refused in production"):
        call_command(*command, stdout=StringIO())
    assert not StaffMember.objects.exists()
