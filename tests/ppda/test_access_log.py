import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from ppda.audit import access_record
from ppda.models import AccessLog

pytestmark = pytest.mark.django_db


def test_access_record_writes_a_row(coordinator):
    row = access_record(user=coordinator, object_type="cases.case", object_id="abc", what="case page")
    assert AccessLog.objects.get(pk=row.pk).username == "coordinator"


def test_the_row_is_written_as_the_orm_would_and_a_save_receiver_is_never_skipped(coordinator):
    """access_record inserts with one prepared statement (ppda.audit._insert): every field as the ORM writes it."""
    from django.db.models.signals import post_save

    row = access_record(user=coordinator, object_type="cases.case", object_id="abc", what="case page")
    stored = AccessLog.objects.get(pk=row.pk)
    assert not row._state.adding and stored.uuid == row.uuid and stored.at == row.at and stored.at is not None
    assert (stored.user_id, stored.action, stored.object_id, stored.allowed) == (coordinator.pk, "view", "abc", True)
    orm = AccessLog(user=coordinator, username="coordinator", object_type="cases.case", object_id="abc")
    orm.save()
    same = ("user_id", "username", "object_type", "object_id", "case_reference", "path", "ip_address", "allowed")
    assert [getattr(stored, f) for f in same] == [getattr(orm, f) for f in same]
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.what, created))

    post_save.connect(receiver, sender=AccessLog)
    try:
        access_record(user=coordinator, what="with a receiver")
    finally:
        post_save.disconnect(receiver, sender=AccessLog)
    assert seen == [("with a receiver", True)]


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
