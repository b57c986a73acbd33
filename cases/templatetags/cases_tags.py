from django import template

register = template.Library()

_STATUS = {
    "received": "govuk-tag--red",
    "triaged": "govuk-tag--yellow",
    "allocated": "",  # the default tag colour, blue (GOV.UK Frontend has no modifier for it)
    "active": "govuk-tag--green",
    "closed": "govuk-tag--grey",
    "reopened": "govuk-tag--purple",
}
_RISK = {"high": "govuk-tag--red", "medium": "govuk-tag--orange", "standard": "govuk-tag--grey"}


@register.filter
def status_class(status: str) -> str:
    return _STATUS.get(status, "")


@register.filter
def risk_class(risk: str) -> str:
    return _RISK.get(risk, "govuk-tag--grey")


@register.filter
def yes_no(value) -> str:
    return "Yes" if value else "No"
