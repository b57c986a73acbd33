from django.apps import AppConfig


class PpdaConfig(AppConfig):
    name = "ppda"
    verbose_name = "ppda core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import caches, grant_history

        # A migration or a test database flush may re-create permissions and content types with new ids.
        post_migrate.connect(caches.flush_all, dispatch_uid="ppda.caches.flush_all")
        # A role or case grant changed outside the services still leaves a record (no actor): issue 17.
        grant_history.connect_backstop()
