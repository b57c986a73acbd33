from django.apps import AppConfig


class UpdateFormConfig(AppConfig):
    """The SOO's live case update form (issue #12), its change history and its anonymised panel rendering."""

    name = "oversight.update_form"
    label = "update_form"
    verbose_name = "Case update form"
