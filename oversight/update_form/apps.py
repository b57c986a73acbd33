from django.apps import AppConfig


class UpdateFormConfig(AppConfig):
    """The SOO's live case update form (issue #12), its change history and its anonymised panel rendering."""

    name = "oversight.update_form"
    label = "update_form"
    verbose_name = "Case update form"

    def ready(self):
        from cases.extensions import InboxFilter, inbox_filter_register

        from .selectors import FORM_STATE_CHOICES, form_state_condition

        # The coordinators filter the inbox by update-form state (cases/ shows it without importing oversight).
        inbox_filter_register(
            InboxFilter(name="form", label="Update form", choices=FORM_STATE_CHOICES, condition=form_state_condition)
        )
