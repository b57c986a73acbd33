import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from ppda.audit import access_record
from ppda.models import AccessLog

pytestmark = pytest.mark.django_db


def test_access_record_writes_a_row(coordinator):
    row = access_record(user=coordinator, object_type="cases.case", object_id="abc", what="case page")
    assert AccessLog.objects.get(pk=row.pk).username == "coordinator"


def test_orm_cannot_update_or_delete(coordinator):
    row = access_record(user=coordinator, what="case page")
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=row.pk).update(what="tampered")
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(PermissionError):
        row.delete()
    row.what = "tampered"
    with pytest.raises(PermissionError):
        row.save()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE ppda_accesslog SET what = 'tampered'", "DELETE FROM ppda_accesslog"],
)
def test_database_refuses_update_and_delete(coordinator, sql):
    access_record(user=coordinator, what="case page")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    assert AccessLog.objects.filter(what="case page").count() == 1


def test_mail_outbox_works_with_mailers():
    from django.core import mail

    mail.send_mail("s", "b", "a@example.test", ["b@example.test"])
    assert len(mail.outbox) == 1
