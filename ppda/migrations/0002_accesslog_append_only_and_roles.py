from django.db import migrations

ROLES = ["coordinator", "soo", "panel_chair", "panel_member", "psd_rep", "auditor"]

# The access log must survive an inquiry: PostgreSQL itself refuses UPDATE and DELETE of a row.
# (TRUNCATE is left to the test runner's flush; production revokes it from the app's role.)
APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION ppda_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ppda_accesslog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ppda_accesslog_no_update BEFORE UPDATE OR DELETE ON ppda_accesslog
    FOR EACH ROW EXECUTE FUNCTION ppda_accesslog_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS ppda_accesslog_no_update ON ppda_accesslog;
DROP FUNCTION IF EXISTS ppda_accesslog_append_only();
"""


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("ppda", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunSQL(APPEND_ONLY_SQL, DROP_SQL),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
