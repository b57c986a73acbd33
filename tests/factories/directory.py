import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppda.models import Command, Department, District, StaffMember, Team, User
from ppda.roles import user_roles_change

TEST_PASSWORD = "correct horse battery staple 42"


class CommandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Command
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Command {n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    command = factory.SubFactory(CommandFactory)
    kind = Department.Kind.OPERATIONAL


class PsdDepartmentFactory(DepartmentFactory):
    name = factory.Sequence(lambda n: f"Professional Standards {n}")
    kind = Department.Kind.PSD


class AcuDepartmentFactory(DepartmentFactory):
    name = factory.Sequence(lambda n: f"Anti-Corruption {n}")
    kind = Department.Kind.ACU


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    department = factory.SubFactory(DepartmentFactory)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n}")


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    employee_number = factory.Sequence(lambda n: f"E{100000 + n}")
    first_name = factory.Sequence(lambda n: f"Testfirst{n}")
    last_name = factory.Sequence(lambda n: f"Testlast{n}")
    rank = StaffMember.Rank.CONSTABLE
    department = factory.SubFactory(DepartmentFactory)
    command = factory.LazyAttribute(lambda o: o.department.command if o.department else None)
    district = factory.SubFactory(DistrictFactory)


class ChiefInspectorFactory(StaffMemberFactory):
    rank = StaffMember.Rank.CHIEF_INSPECTOR
    soo_eligible = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.staff.first_name if o.staff else "Partner")
    last_name = factory.LazyAttribute(lambda o: o.staff.last_name if o.staff else "Member")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    staff = factory.SubFactory(StaffMemberFactory)
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # Through the role service, as real work makes them (the grant history records each).
            user_roles_change(user=self, add=extracted, by=None, source="test")

    @factory.post_generation
    def otp(self, create, extracted, **kwargs):
        """A confirmed TOTP device unless otp=False."""
        if create and extracted is not False:
            TOTPDevice.objects.create(user=self, name="Authenticator app", confirmed=True)
